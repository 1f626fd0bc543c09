"""The record of each payment's risk assessment: score, signals with their reasons, decision,
second factor and staff review. Imported by ``zizhu.payments.models`` (one app, one migration set)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RiskAssessment(models.Model):
    class Decision(models.TextChoices):
        ALLOW = "allow", _("Allowed")
        CHALLENGE = "challenge", _("Second factor required")
        REVIEW = "review", _("Staff review required")

    class Factor(models.TextChoices):
        NOT_NEEDED = "not_needed", _("Not needed")
        PENDING = "pending", _("Waiting for the customer")
        PASSED = "passed", _("Passed")

    class Review(models.TextChoices):
        NONE = "", _("No review")
        HELD = "held", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    payment = models.OneToOneField(
        "payments.Payment", on_delete=models.CASCADE, related_name="risk", verbose_name=_("payment")
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.PositiveIntegerField(_("score"))
    # [{"code": "velocity", "weight": 30, "params": {...}}, ...]: reasons are rendered in the reader's language.
    signals = models.JSONField(_("signals"), default=list, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    device_key = models.CharField(_("device"), max_length=32, db_index=True, blank=True)
    place = models.CharField(_("network"), max_length=50, blank=True)
    factor = models.CharField(_("second factor"), max_length=10, choices=Factor.choices, default=Factor.NOT_NEEDED)
    factor_method = models.CharField(_("second factor method"), max_length=10, blank=True)
    factor_passed_at = models.DateTimeField(_("second factor passed at"), null=True, blank=True)
    code_id = models.PositiveBigIntegerField(null=True, blank=True)  # a guest's one-time code
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, default=Review.NONE, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("assessed at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-created_at"]
        permissions = [("review_payment", _("Can approve or reject payments held for review"))]
        indexes = [models.Index(fields=["customer", "-created_at"], name="risk_customer_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(review="") | Q(decision="review"), name="risk_review_only_when_decided_review"
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | Q(review__in=["approved", "rejected"]),
                name="risk_decided_by_only_when_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.score} ({self.decision})"

    @property
    def needs_factor(self) -> bool:
        return self.factor == self.Factor.PENDING

    @property
    def held(self) -> bool:
        return self.review == self.Review.HELD
