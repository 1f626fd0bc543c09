"""Risk services: the customer's second factor at the pay step, and staff review of held payments.

* ``send_code`` / ``pass_second_factor`` — a payment scored at or above the challenge threshold
  goes on only after its payer proves a second factor: the authenticator app (TOTP) when
  enrolled, else a one-time code by e-mail or SMS (accounts' code machinery: 5 minutes, single
  use, 5 wrong guesses burn it, sends rate limited). Guests get the code at their checkout contact.
* ``approve`` / ``reject`` — a payment scored at or above the review threshold is only authorised;
  staff with ``payments.review_payment`` (finance, customer service) capture it or void it. Each
  decision happens once (a row lock; a repeat is a no-op, the opposite decision a 409), is audited
  in the same transaction, and the provider is called after the commit (call them outside a transaction).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.accounts import audit, codes, messaging, mfa, roles
from zizhu.accounts.audit import client_ip
from zizhu.accounts.models import OneTimeCode
from zizhu.core import events, ratelimit
from zizhu.core.errors import Conflict, InvalidInput, PermissionDenied
from zizhu.payments import services as payments
from zizhu.payments.models import Payment, PaymentEvent
from zizhu.payments.risk import assess
from zizhu.payments.risk import context as risk_context
from zizhu.payments.risk.models import RiskAssessment

logger = logging.getLogger(__name__)
A = RiskAssessment
REVIEW_PERMISSION = "payments.review_payment"
# The code is the accounts' "confirm it is you" kind; it is tied to this payment by its id.
CODE_PURPOSE = OneTimeCode.Purpose.REAUTH
REVIEW_REJECTED = "payment.review_rejected"


# --- second factor ----------------------------------------------------------------------------------------


def _pending(payment: Payment) -> RiskAssessment:
    assessment = assess.get(payment)
    if assessment is None or not assessment.needs_factor:
        raise Conflict(_("This payment does not need a confirmation code."), code="second_factor_not_needed")
    return assessment


def _destination(payment: Payment) -> tuple[str, str, str, Any]:
    """(channel, address, language, user) where a payer's code goes."""
    customer: Any = payment.customer
    if customer is not None:
        channel = customer.otp_channel or (OneTimeCode.Channel.EMAIL if customer.email else OneTimeCode.Channel.SMS)
        to = customer.email if channel == OneTimeCode.Channel.EMAIL else customer.phone
        return channel, to or "", customer.language, customer
    ctx = risk_context.for_reference(payment.reference, None)
    if ctx.email:
        return OneTimeCode.Channel.EMAIL, ctx.email, ctx.language or "zh-hans", None
    return OneTimeCode.Channel.SMS, ctx.phone, ctx.language or "zh-hans", None


def mask(channel: str, to: str) -> str:
    """Where the code went, without giving the address away ("t***@example.com", "138****8000")."""
    if channel == OneTimeCode.Channel.EMAIL and "@" in to:
        name, _at, domain = to.partition("@")
        return f"{name[:1]}***@{domain}"
    digits = to.replace(" ", "")
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****"


def send_code(*, payment: Payment, request: HttpRequest | None = None) -> str:
    """Send the payer a one-time code for this payment; returns where it went (masked)."""
    assessment = _pending(payment)
    channel, to, language, user = _destination(payment)
    if not to:
        raise InvalidInput(_("There is nowhere to send a code."), code="no_channel")
    account = f"user:{user.pk}" if user is not None else f"payment:{payment.number}"
    codes.limit_sends(account=account, ip=client_ip(request))
    code, raw = codes.issue(purpose=CODE_PURPOSE, channel=channel, user=user)
    RiskAssessment.objects.filter(pk=assessment.pk).update(code_id=code.pk, updated_at=timezone.now())
    minutes = int(codes.CODE_TTL.total_seconds() // 60)
    messaging.send_code(channel=channel, to=to, code=raw, language=language, user=user, minutes=minutes)
    return mask(channel, to)


def pass_second_factor(
    *, payment: Payment, code: str, method: str = "", request: HttpRequest | None = None
) -> RiskAssessment:
    """Check the payer's second factor for this payment; the payment may then go on."""
    assessment = _pending(payment)
    allowed = assess.factor_methods(payment)
    method = method if method in allowed else allowed[0]
    customer: Any = payment.customer
    if method == "totp" and customer is not None:
        mfa.verify(user=customer, method=mfa.TOTP, code=code, request=request)  # rate limited, no replays
    else:
        ratelimit.check("otp.verify.ip", client_ip(request) or "unknown")
        ratelimit.check("otp.verify.account", f"payment:{payment.number}")
        if assessment.code_id is None:
            message = _("Ask for a code first.")
            raise InvalidInput(message, fields={"code": [message]}, code="code_expired")
        codes.verify(purpose=CODE_PURPOSE, raw=code, code_id=assessment.code_id)
    with transaction.atomic():
        moved = RiskAssessment.objects.filter(pk=assessment.pk, factor=A.Factor.PENDING).update(
            factor=A.Factor.PASSED, factor_method=method, factor_passed_at=timezone.now(), updated_at=timezone.now()
        )
        if moved:
            PaymentEvent.objects.create(payment=payment, kind="second_factor_passed", data={"method": method})
    assessment.refresh_from_db()
    return assessment


# --- staff review -------------------------------------------------------------------------------------------


def _require_reviewer(staff: Any, payment: Payment) -> None:
    roles.require_permission(staff, REVIEW_PERMISSION)
    if payment.customer_id is not None and payment.customer_id == staff.pk:
        raise PermissionDenied(_("You cannot review your own payment."), code="own_payment")


def _decide(*, payment: Payment, staff: Any, outcome: str, note: str, request: HttpRequest | None) -> bool:
    """Record the decision once. True when it was made now, False when it had been made already."""
    _require_reviewer(staff, payment)
    with transaction.atomic():
        assessment = RiskAssessment.objects.select_for_update().filter(payment=payment).first()
        if assessment is None or assessment.decision != A.Decision.REVIEW:
            raise Conflict(_("This payment is not waiting for a review."), code="not_held")
        if assessment.review == outcome:
            return False  # the same decision again (a double click, a retry): nothing more happens
        if assessment.review != A.Review.HELD:
            raise Conflict(_("This payment was already decided by someone else."), code="already_decided")
        if payment.status != Payment.Status.AUTHORIZED:
            raise Conflict(_("The customer has not finished paying yet."), code="not_authorized")
        assessment.review = outcome
        assessment.decided_by = staff
        assessment.decided_at = timezone.now()
        assessment.decision_note = (note or "")[:300]
        assessment.save(update_fields=["review", "decided_by", "decided_at", "decision_note", "updated_at"])
        PaymentEvent.objects.create(payment=payment, kind=f"review_{outcome}", message=assessment.decision_note)
        audit.record(
            actor=staff,
            action=f"payment.review_{outcome}",
            target=payment,
            summary=f"{payment.number} ({payment.reference}), {payment.money}, score {assessment.score}: "
            f"{outcome}. {assessment.decision_note}",
            request=request,
        )
        if outcome == A.Review.REJECTED:
            events.emit(
                REVIEW_REJECTED,
                {"number": payment.number, "reference": payment.reference, "reason": assessment.decision_note},
            )
    return True


def approve(*, payment: Payment, staff: Any, note: str = "", request: HttpRequest | None = None) -> Payment:
    """Approve a held payment: the authorisation is captured (then ``payment.succeeded`` pays the order)."""
    decided_now = _decide(payment=payment, staff=staff, outcome=A.Review.APPROVED, note=note, request=request)
    payment = payments.capture_payment(payment=payment)  # also retries a capture that failed last time
    if decided_now:
        notify_outcome(payment_id=payment.pk)  # after the commit: the decision stands even if mail is down
    return payment


def reject(*, payment: Payment, staff: Any, note: str = "", request: HttpRequest | None = None) -> Payment:
    """Reject a held payment: the authorisation is voided (a captured one refunded) and the order cancelled
    (the orders app handles ``payment.review_rejected``)."""
    decided_now = _decide(payment=payment, staff=staff, outcome=A.Review.REJECTED, note=note, request=request)
    payment = payments.cancel_payment(payment=payment)
    if payment.is_paid and payment.refundable.amount:
        payments.refund_payment(payment=payment, amount=payment.refundable, reason="rejected by risk review")
        payment.refresh_from_db()
    if decided_now:
        notify_outcome(payment_id=payment.pk)  # after the commit: the decision stands even if mail is down
    return payment


def _to_inbox(customer: Any, payment: Payment, approved: bool, page: str, language: str) -> None:
    """A signed-in payer also finds the outcome in their in-app inbox (the e-mail is sent below)."""
    from django.utils import translation

    from zizhu.notifications import services as notifications

    with translation.override(language):
        values = {"number": payment.number, "amount": payment.money, "reference": payment.reference}
        if approved:
            subject = _("Your payment %(number)s was approved") % values
            body = _("We checked your payment of %(amount)s for %(reference)s and approved it.") % values
        else:
            subject = _("Your payment %(number)s was not accepted") % values
            body = (
                _(
                    "We checked your payment of %(amount)s for %(reference)s and could not accept it. "
                    "The order is cancelled and nothing is charged."
                )
                % values
            )
    notifications.send_message(customer=customer, subject=subject, body=body, link=page)


def notify_outcome(*, payment_id: int) -> bool:
    """Tell the payer how the review ended (e-mail with their anti-phishing phrase, or SMS)."""
    payment = Payment.objects.select_related("customer").filter(pk=payment_id).first()
    assessment = assess.get(payment) if payment is not None else None
    if payment is None or assessment is None or assessment.review not in (A.Review.APPROVED, A.Review.REJECTED):
        return False
    ctx = risk_context.for_reference(payment.reference, payment.customer)
    customer: Any = payment.customer
    email = (customer.email if customer is not None else "") or ctx.email
    phone = (customer.phone if customer is not None else "") or ctx.phone
    language = (customer.language if customer is not None else "") or ctx.language or "zh-hans"
    approved = assessment.review == A.Review.APPROVED
    context = {"payment": payment, "approved": approved, "link": ctx.link}
    if customer is not None:
        _to_inbox(customer, payment, approved, ctx.page, language)
    try:
        if email:
            messaging.send_email(to=email, template="payment_review", context=context, language=language, user=customer)
        elif phone:
            from django.utils import translation

            with translation.override(language):
                text = (
                    _("Zizhu: your payment %(number)s was approved. Your order is on its way.")
                    if approved
                    else _(
                        "Zizhu: your payment %(number)s was not accepted. The order is cancelled; nothing is charged."
                    )
                ) % {"number": payment.number}
            messaging.send_sms(to=phone, text=text)
        else:
            return False
    except Exception:  # a mail server being down must not undo the decision
        logger.exception("Could not tell the payer of %s about the review", payment.number)
        return False
    return True
