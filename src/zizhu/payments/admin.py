"""Back office for payments: read-mostly; refunds go through the service (never a field edit)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from zizhu.core.errors import DomainError
from zizhu.payments import services
from zizhu.payments.models import Payment, PaymentEvent, Refund, WebhookEvent


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
