"""Read queries for risk: the staff review queue (permission checked here too) and what a payer may see."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from zizhu.accounts import roles
from zizhu.payments.models import Payment
from zizhu.payments.risk.models import RiskAssessment

A = RiskAssessment


def review_queue(*, staff: Any) -> QuerySet[RiskAssessment]:
    """Payments authorised and waiting for a decision, oldest first (the customer has waited longest)."""
    roles.require_permission(staff, "payments.view_riskassessment")
    return (
        RiskAssessment.objects.filter(review=A.Review.HELD, payment__status=Payment.Status.AUTHORIZED)
        .select_related("payment", "customer")
        .order_by("created_at")
    )


def assessment_of(*, payment: Payment) -> RiskAssessment | None:
    return RiskAssessment.objects.filter(payment=payment).first()


def references_under_review(*, references: Iterable[str]) -> set[str]:
    """Which of these references (e.g. order numbers) have a payment authorised and held for review."""
    refs = [ref for ref in references if ref]
    if not refs:
        return set()
    held = Payment.objects.filter(reference__in=refs, status=Payment.Status.AUTHORIZED)
    return set(held.values_list("reference", flat=True))


def review_state(*, reference: str) -> str:
    """What the payer sees: "held" while staff review it, "rejected" after a rejection, else ""."""
    latest = (
        RiskAssessment.objects.filter(payment__reference=reference, decision=A.Decision.REVIEW)
        .exclude(review=A.Review.NONE)
        .order_by("-created_at")
        .values_list("review", "payment__status")
        .first()
    )
    if latest is None:
        return ""
    review, status = latest
    if review == A.Review.HELD:
        return "held" if status == Payment.Status.AUTHORIZED else ""
    return str(review)
