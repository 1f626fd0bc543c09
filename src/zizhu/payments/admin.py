"""Back office for payments: read-mostly; refunds go through the service (never a field edit)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from zizhu.core.errors import DomainError
from zizhu.core.money import Money
from zizhu.payments import password_free, services
from zizhu.payments.models import PasswordFreePayment, Payment, PaymentEvent, Refund, SavedCard, WebhookEvent


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PaymentEventInline(ReadOnlyMixin, admin.TabularInline):
    model = PaymentEvent
    fields = ["created_at", "kind", "message", "data"]
    readonly_fields = fields
    extra = 0


class RefundInline(ReadOnlyMixin, admin.TabularInline):
    model = Refund
    fields = ["number", "amount", "status", "reason", "failure_code", "requested_by", "created_at"]
    readonly_fields = fields
    extra = 0


class RefundForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount to refund"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "reference", "status", "method", "amount", "currency", "refunded_amount", "flagged"]
    list_filter = ["status", "method", "flagged", "provider"]
    search_fields = ["number", "reference", "provider_intent_id"]
    readonly_fields = [f.name for f in Payment._meta.fields]
    inlines = [RefundInline, PaymentEventInline]
    actions = ["refund_remaining"]
    date_hierarchy = "created_at"

    @admin.action(description=_("Refund what is left of the selected payments"), permissions=["refund"])
    def refund_remaining(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        done = 0
        for payment in queryset:
            if not payment.refundable:
                continue
            try:
                services.refund_payment(
                    payment=payment, amount=payment.refundable, reason="back office", staff=request.user
                )
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{payment.number}: {exc.message}", messages.ERROR)
        self.message_user(request, _("%(count)d refund(s) sent.") % {"count": done}, messages.SUCCESS)

    def has_refund_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payments.add_refund")

    def get_urls(self) -> list[URLPattern]:
        refund = self.admin_site.admin_view(self.refund_view)
        return [path("<int:pk>/refund/", refund, name="payments_payment_refund"), *super().get_urls()]

    def refund_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A partial or full refund of one payment, through the service (reserve, send, confirm)."""
        if not self.has_refund_permission(request):
            raise PermissionDenied
        payment = get_object_or_404(Payment, pk=pk)
        form = RefundForm(request.POST or None, initial={"amount": payment.refundable.amount})
        if request.method == "POST" and form.is_valid():
            try:
                amount = Money.of(form.cleaned_data["amount"], payment.currency)
                refund = services.refund_payment(
                    payment=payment, amount=amount, reason=form.cleaned_data["reason"], staff=request.user
                )
            except (DomainError, InvalidOperation) as exc:
                form.add_error("amount", str(getattr(exc, "message", exc)))
            else:
                self.message_user(request, f"{refund.number}: {refund.get_status_display()}", messages.SUCCESS)
                return redirect(reverse("admin:payments_payment_change", args=[payment.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Refund %(number)s") % {"number": payment.number},
            "payment": payment,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/payments/payment/refund.html", context)


@admin.register(Refund)
class RefundAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "payment", "amount", "status", "created_at", "completed_at"]
    list_filter = ["status"]
    search_fields = ["number", "payment__number", "payment__reference"]
    readonly_fields = [f.name for f in Refund._meta.fields]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["event_id", "provider", "event_type", "outcome", "payment", "received_at"]
    list_filter = ["provider", "event_type", "outcome"]
    search_fields = ["event_id", "payment__number"]
    readonly_fields = [f.name for f in WebhookEvent._meta.fields]


@admin.register(SavedCard)
class SavedCardAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Staff with the payment roles see a saved card's brand, last 4 and expiry: never its gateway token."""

    list_display = ["__str__", "customer_id", "exp_month", "exp_year", "created_at", "last_used_at"]
    list_filter = ["brand", "provider"]
    search_fields = ["=customer__id", "last4"]
    fields = ["customer_id", "provider", "brand", "last4", "exp_month", "exp_year", "created_at", "last_used_at"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[SavedCard]:
        return super().get_queryset(request).defer("token")


@admin.register(PasswordFreePayment)
class PasswordFreePaymentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A customer's 小额免密 setting. Staff may switch it off (audited, the customer is told); only the
    customer switches it on, with re-authentication."""

    list_display = ["customer_id", "enabled", "limit", "updated_at"]
    list_filter = ["enabled"]
    search_fields = ["=customer__id"]
    fields = ["customer_id", "enabled", "limit", "updated_at"]
    readonly_fields = fields
    actions = ["switch_off"]

    @admin.action(
        description=_("Switch off password-free payment for the selected customers"), permissions=["switch_off"]
    )
    def switch_off(self, request: HttpRequest, queryset: QuerySet[PasswordFreePayment]) -> None:
        done = sum(
            password_free.switch_off_by_staff(staff=request.user, setting_id=pk, request=request)
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, _("Switched off for %(count)d customer(s).") % {"count": done}, messages.SUCCESS)

    def has_switch_off_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payments.switch_off_passwordfreepayment")


from zizhu.payments.risk import admin as _risk_admin  # noqa: E402,F401  (the review queue)
