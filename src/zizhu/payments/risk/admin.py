"""Back office: the review queue of held payments (finance, customer service) with score and reasons,
and the approve / reject decision — through ``risk.services`` (permissions checked there too)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from zizhu.core.errors import DomainError
from zizhu.payments.models import Payment
from zizhu.payments.risk import scoring
from zizhu.payments.risk import services as risk
from zizhu.payments.risk.models import RiskAssessment


class HeldFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("held", str(_("Waiting for review"))), ("all", str(_("All assessments")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[RiskAssessment]) -> QuerySet[RiskAssessment]:
        if self.value() == "all":
            return queryset
        return queryset.filter(review=RiskAssessment.Review.HELD, payment__status=Payment.Status.AUTHORIZED)

    def choices(self, changelist):  # type: ignore[no-untyped-def]
        # "Waiting for review" is the default view (no "All" entry of Django's own).
        for lookup, title in self.lookup_choices:
            selected = self.value() == lookup or (self.value() is None and lookup == "held")
            yield {
                "selected": selected,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note (kept with the decision)"), max_length=300, required=False)


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(admin.ModelAdmin):
    list_display = ["payment", "amount", "score", "decision", "reasons_short", "review", "created_at"]
    list_filter = [HeldFilter, "decision", "review"]
    search_fields = ["payment__number", "payment__reference"]
    list_select_related = ["payment"]
    ordering = ["created_at"]
    readonly_fields = [
        "payment", "score", "decision", "reasons", "factor", "factor_method", "factor_passed_at", "review",
        "decided_by", "decided_at", "decision_note", "place", "created_at",
    ]  # fmt: skip
    exclude = ["signals", "device_key", "code_id", "customer"]
    change_form_template = "admin/payments/riskassessment/change_form.html"

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("amount"))
    def amount(self, obj: RiskAssessment) -> str:
        return str(obj.payment.money)

    @admin.display(description=_("reasons"))
    def reasons_short(self, obj: RiskAssessment) -> str:
        return "; ".join(text for _weight, text in scoring.reasons(obj.signals))

    @admin.display(description=_("reasons"))
    def reasons(self, obj: RiskAssessment) -> str:
        rows = [(f"+{weight}", text) for weight, text in scoring.reasons(obj.signals)]
        return format_html_join("", "<p><strong>{}</strong> {}</p>", rows) or "—"

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(risk.REVIEW_PERMISSION)

    def get_urls(self) -> list[URLPattern]:
        approve = self.admin_site.admin_view(self.approve_view)
        reject = self.admin_site.admin_view(self.reject_view)
        return [
            path("<int:pk>/approve/", approve, name="payments_riskassessment_approve"),
            path("<int:pk>/reject/", reject, name="payments_riskassessment_reject"),
            *super().get_urls(),
        ]

    def approve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.decide_view(request, pk, "approve")

    def reject_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.decide_view(request, pk, "reject")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):  # type: ignore[no-untyped-def]
        context["can_decide"] = bool(obj and obj.held and self.has_review_permission(request))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def decide_view(self, request: HttpRequest, pk: int, outcome: str) -> HttpResponse:
        """Approve (capture) or reject (void, order cancelled) one held payment, with an optional note."""
        if not self.has_review_permission(request) or outcome not in ("approve", "reject"):
            raise PermissionDenied
        assessment = get_object_or_404(RiskAssessment.objects.select_related("payment"), pk=pk)
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            decide = risk.approve if outcome == "approve" else risk.reject
            try:
                decide(payment=assessment.payment, staff=request.user, note=form.cleaned_data["note"], request=request)
            except DomainError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
            else:
                done = (
                    _("Approved: the payment is captured.")
                    if outcome == "approve"
                    else _("Rejected: the authorisation is released and the order cancelled.")
                )
                self.message_user(request, done, messages.SUCCESS)
                return redirect(reverse("admin:payments_riskassessment_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": (_("Approve %(number)s") if outcome == "approve" else _("Reject %(number)s"))
            % {"number": assessment.payment.number},
            "assessment": assessment,
            "reasons": scoring.reasons(assessment.signals),
            "outcome": outcome,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/payments/riskassessment/decide.html", context)
