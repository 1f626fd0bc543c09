"""Assess a payment once, at the pay step, and tell the payment flow whether it may go on.

``assess`` records the score, its signals and the decision (one ``RiskAssessment`` per payment:
asking again returns the first answer, so reloading the pay page cannot lower a score).
``require_cleared`` is called by ``payments.services`` before an intent is created or confirmed:
it raises ``SecondFactorRequired`` while a needed second factor is missing and answers whether
the card must only be authorised (held for staff review) instead of captured.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.core.errors import DomainError
from zizhu.payments.models import Payment, PaymentEvent
from zizhu.payments.risk import context as risk_context
from zizhu.payments.risk import scoring
from zizhu.payments.risk.context import RequestInfo
from zizhu.payments.risk.models import RiskAssessment

A = RiskAssessment


class SecondFactorRequired(DomainError):
    code = "second_factor_required"
    status = 403

    def __init__(self, payment: Payment, methods: list[str]):
        number = payment.number
        message = _(
            "Please confirm this payment with a second factor first: send the code from your authenticator app, "
            "or ask for a one-time code by message, then confirm again."
        )
        fields = {
            "second_factor": [f"methods={','.join(methods)}"],
            "send_code": [reverse("api:payments_send_code", args=[number])],
            "submit": [reverse("api:payments_second_factor", args=[number])],
        }
        super().__init__(message, fields=fields)


def get(payment: Payment) -> RiskAssessment | None:
    return RiskAssessment.objects.filter(payment=payment).first()


def assess(*, payment: Payment, request: RequestInfo | None = None) -> RiskAssessment:
    """The payment's assessment: made now from its signals, or the one made earlier."""
    existing = get(payment)
    if existing is not None:
        return existing
    info = request or RequestInfo()
    ctx = risk_context.for_reference(payment.reference, payment.customer)
    signals = scoring.evaluate(payment=payment, request=info, context=ctx)
    score = sum(signal.weight for signal in signals)
    decision = scoring.decide(score)
    needs_factor = decision != A.Decision.ALLOW
    try:
        with transaction.atomic():
            assessment = RiskAssessment.objects.create(
                payment=payment,
                customer_id=payment.customer_id,
                score=score,
                signals=[signal.as_dict() for signal in signals],
                decision=decision,
                device_key=info.device_key,
                place=info.place[:50],
                factor=A.Factor.PENDING if needs_factor else A.Factor.NOT_NEEDED,
                review=A.Review.HELD if decision == A.Decision.REVIEW else A.Review.NONE,
            )
            PaymentEvent.objects.create(
                payment=payment,
                kind="risk_assessed",
                message=f"score {score}: {decision}",
                data={"score": score, "decision": decision, "signals": [s.code for s in signals]},
            )
    except IntegrityError:  # assessed by a concurrent request: the first one stands
        return RiskAssessment.objects.get(payment=payment)
    return assessment


def factor_methods(payment: Payment) -> list[str]:
    """How this payer can confirm: "totp" (an authenticator app) and/or "code" (a one-time code by message)."""
    from zizhu.accounts import mfa

    customer: Any = payment.customer
    # The authenticator app when enrolled (nothing travels), else a code by e-mail or SMS.
    if customer is not None and mfa.totp_device(customer) is not None:
        return ["totp"]
    return ["code"]


def _challenge_saved_card(assessment: RiskAssessment, payment: Payment) -> RiskAssessment:
    """A saved-card payment without password-free payment (or above its limit) asks for the second factor,
    whatever the score (DESIGN.md §7: no password-free payment by default). Recorded once."""
    with transaction.atomic():
        moved = RiskAssessment.objects.filter(pk=assessment.pk, factor=A.Factor.NOT_NEEDED).update(
            factor=A.Factor.PENDING, updated_at=timezone.now()
        )
        if moved:
            PaymentEvent.objects.create(
                payment=payment, kind="second_factor_asked", message="saved card, not password-free", data={}
            )
    assessment.refresh_from_db()
    return assessment


def require_cleared(*, payment: Payment, saved_card: bool = False) -> bool:
    """Raise ``SecondFactorRequired`` unless the payment may go to the provider; True = authorise only
    (the payment will wait for a staff review before it is captured).

    ``saved_card``: the customer pays with a saved card (no card details typed, no gateway page): the second
    factor is asked unless they turned 小额免密支付 on and the amount is within its limit. A pending factor
    asked only for that reason (the score allowed the payment) does not stop a card typed on the gateway's page."""
    from zizhu.payments import password_free

    assessment = assess(payment=payment)
    if saved_card and assessment.factor == A.Factor.NOT_NEEDED and not password_free.covers(payment):
        assessment = _challenge_saved_card(assessment, payment)
    if assessment.needs_factor and (saved_card or assessment.decision != A.Decision.ALLOW):
        raise SecondFactorRequired(payment, factor_methods(payment))
    return assessment.decision == A.Decision.REVIEW


def is_held(payment: Payment) -> bool:
    return payment.status == Payment.Status.AUTHORIZED
