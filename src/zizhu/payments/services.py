"""Payment services: the only code that changes payments.

Flow (DESIGN.md §4): ``create_payment`` (inside the caller's transaction, e.g. placing an
order) → ``start_payment`` (the provider creates an intent; the customer goes to the hosted
card page or scans the wallet QR code) → the provider's answer arrives by ``confirm_payment``
/ ``sync_payment`` (the customer came back) and by a signed webhook (``handle_webhook``), in
any order and any number of times → ``apply_intent_state`` moves the payment forward once,
under a row lock, and emits ``payment.succeeded`` / ``payment.failed`` through the outbox.

Provider calls never happen inside a transaction. A refund is reserved first (a conditional
UPDATE that the database refuses beyond the captured amount), sent after commit, then
confirmed or released.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.accounts import audit, roles
from zizhu.core import events, sql
from zizhu.core.errors import Conflict, DomainError, InvalidInput
from zizhu.core.money import Money, MoneyError
from zizhu.payments import events as topics
from zizhu.payments import references
from zizhu.payments.models import Payment, PaymentEvent, Refund, WebhookEvent
from zizhu.payments.providers import base as provider_status
from zizhu.payments.providers import get_provider
from zizhu.payments.providers.base import IntentState, ProviderError, RefundState, WebhookRejected
from zizhu.payments.risk import assess as risk

logger = logging.getLogger(__name__)

S = Payment.Status
OPEN_STATUSES = (S.CREATED, S.REQUIRES_ACTION)
# An authorised payment (held for a risk review) can still be captured or voided.
MOVABLE_STATUSES = (*OPEN_STATUSES, S.AUTHORIZED)
PAID_STATUSES = (S.SUCCEEDED, S.PARTIALLY_REFUNDED)
MAX_REFERENCE_LENGTH = 64
MAX_RETURN_URL_LENGTH = 500
PENDING_REFUND_RETRY_AFTER = timedelta(minutes=1)


class WebhookInvalid(DomainError):
    code = "webhook_invalid"
    status = 400


@dataclass(frozen=True)
class NextStep:
    """Where the customer goes after ``start_payment``/``confirm_payment``."""

    kind: str  # "redirect" (hosted page or 3-D Secure), "wallet_qr", "none"
    url: str = ""


def _log(payment: Payment, kind: str, message: str = "", **data: Any) -> None:
    sql.insert(PaymentEvent(payment=payment, kind=kind, message=message[:300], data=data))


def _payload(payment: Payment, **extra: Any) -> dict[str, Any]:
    return {
        "number": payment.number,
        "reference": payment.reference,
        "amount": f"{payment.amount:.2f}",
        "currency": payment.currency,
        **extra,
    }


def failure_message(code: str) -> str:
    messages = {
        "card_declined": _("Your card was declined. Please use another card or pay with the wallet."),
        "insufficient_funds": _("The card has insufficient funds. Please use another card or pay with the wallet."),
        "authentication_failed": _("The bank's security check (3-D Secure) was not passed. The card was not charged."),
        "wallet_declined": _("The payment was declined in the wallet app."),
        "token_invalid": _("The card details have expired or were already used. Please enter the card again."),
        "intent_unexpected_state": _("This payment cannot be changed any more."),
    }
    return messages.get(code, _("The payment did not go through. Please try again."))


# --- creating and starting -----------------------------------------------------------------------------------


def create_payment(*, reference: str, amount: Money, customer: Any = None, return_url: str = "") -> Payment:
    """Record a payment to be made for ``reference`` (no provider call: safe inside a checkout transaction).
    ``return_url`` is where the result page sends the customer back to (e.g. the order page): a path
    on this site only, so a payment can never be made to redirect elsewhere.

    A random number that collides with an existing one is drawn again inside a savepoint. The
    checkout, whose transaction is retried whole, writes its payment with the order instead
    (``new_payment``)."""
    fields = _payment_fields(reference=reference, amount=amount, customer=customer, return_url=return_url)
    with transaction.atomic():
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    payment = Payment.objects.create(**fields)
                break
            except IntegrityError:  # a random number collided: draw another
                continue
        else:
            raise Conflict()
        sql.insert(_created_event(payment))
    return payment


def new_payment(
    *, reference: str, amount: Money, customer: Any = None, return_url: str = ""
) -> tuple[Payment, list[PaymentEvent]]:
    """``create_payment``'s checks, without writing: the new payment and its first event, for a
    caller that writes them together with its own rows in one statement (``core.sql.insert_families``:
    the checkout's order and payment) in a transaction that is retried whole when a number collides."""
    payment = Payment(**_payment_fields(reference=reference, amount=amount, customer=customer, return_url=return_url))
    return payment, [_created_event(payment)]


def _payment_fields(*, reference: str, amount: Money, customer: Any, return_url: str) -> dict[str, Any]:
    reference = (reference or "").strip()
    return_url = _check_return_url(return_url)
    if not reference or len(reference) > MAX_REFERENCE_LENGTH:
        message = _("A payment needs a reference of 1 to 64 characters.")
        raise InvalidInput(message, fields={"reference": [message]})
    if not isinstance(amount, Money) or amount.amount <= 0:
        message = _("The amount to pay must be more than zero.")
        raise InvalidInput(message, fields={"amount": [message]})
    return {
        "reference": reference,
        "amount": amount.amount,
        "currency": amount.currency,
        "customer": customer if customer is not None and customer.is_authenticated else None,
        "return_url": return_url,
    }


def _created_event(payment: Payment) -> PaymentEvent:
    amount = {"amount": f"{payment.amount:.2f}", "currency": payment.currency}
    return PaymentEvent(payment=payment, kind="created", message="", data=amount)


def _check_return_url(url: Any) -> str:
    url = url if isinstance(url, str) else ""
    # A local absolute path only: no scheme, no host, no "//host" or backslash tricks.
    if url and (len(url) > MAX_RETURN_URL_LENGTH or not url.startswith("/") or url[1:2] in ("/", "\\")):
        message = _("The return address must be a page of this shop.")
        raise InvalidInput(message, fields={"return_url": [message]})
    return url


def retry_payment(*, payment: Payment) -> Payment:
    """A failed or cancelled payment cannot move again; a new one for the same reference can, once:
    while the reference has an open payment, that one is returned (a second "try again" must not
    open a second payment that could be charged too); a paid reference, or one its owner no longer
    takes money for (a cancelled order: ``payments.references``), is refused."""
    if payment.status not in (S.FAILED, S.CANCELLED):
        raise Conflict(_("This payment is not closed: it cannot be tried again."), code="payment_not_closed")
    with transaction.atomic():
        # Retries for one reference queue here (its payment rows, locked in primary-key order); the
        # read below then sees a payment the one before opened.
        list(Payment.objects.select_for_update().filter(reference=payment.reference).order_by("pk").values("pk"))
        others = list(Payment.objects.filter(reference=payment.reference).exclude(status__in=(S.FAILED, S.CANCELLED)))
        if any(other.status not in OPEN_STATUSES for other in others):  # paid, refunded or held for review
            raise Conflict(_("This order has already been paid."), code="already_paid")
        reason = references.refusal(payment.reference)
        if reason:
            raise Conflict(reason, code="not_payable")
        if others:
            return max(others, key=lambda other: other.pk)
        fresh = create_payment(
            reference=payment.reference, amount=payment.money, customer=payment.customer, return_url=payment.return_url
        )
        _log(fresh, "retry_of", previous=payment.number)
    return fresh


def start_payment(
    *, payment: Payment, method: str, return_url: str, notify_url: str, saved_card: bool = False
) -> NextStep:
    """Create (or find again) the provider's intent and tell where the customer goes next. ``saved_card``:
    the customer pays with a saved card (a second factor unless password-free payment covers it)."""
    if method not in Payment.Method.values:
        message = _("Choose how to pay: bank card or wallet.")
        raise InvalidInput(message, fields={"method": [message]})
    if payment.status not in OPEN_STATUSES:
        raise Conflict(_("This payment is already closed."), code="payment_closed")
    # Risk (payments/risk): a missing second factor stops here; a review means authorise only.
    manual = risk.require_cleared(payment=payment, saved_card=saved_card)
    state = _ensure_intent(payment=payment, return_url=return_url, notify_url=notify_url, manual_capture=manual)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status in OPEN_STATUSES and locked.method != method:
            locked.method = method
            locked.save(update_fields=["method", "updated_at"])
            _log(locked, "method_chosen", method=method)
    apply_intent_state(payment_id=payment.pk, state=state, source="start")
    if method == Payment.Method.WALLET:
        return NextStep("wallet_qr", state.wallet_url)
    return NextStep("redirect", state.redirect_url)


def _ensure_intent(*, payment: Payment, return_url: str, notify_url: str, manual_capture: bool = False) -> IntentState:
    from zizhu.payments.saved_cards import customer_ref

    provider = get_provider(payment.provider)
    try:
        # The payment number is the provider's idempotency key: one intent per payment, ever.
        state = provider.create_intent(
            amount=payment.money,
            reference=payment.reference,
            idempotency_key=payment.number,
            return_url=return_url,
            notify_url=notify_url,
            capture="manual" if manual_capture else "automatic",
            customer_ref=customer_ref(payment.customer_id),  # a signed-in customer may save the card
        )
    except ProviderError as exc:
        logger.warning("Payment %s: provider refused the intent: %s", payment.number, exc.code)
        raise Conflict(failure_message(exc.code), code="provider_error") from exc
    if payment.provider_intent_id != state.intent_id:
        with transaction.atomic():
            updated = Payment.objects.filter(pk=payment.pk, provider_intent_id=None).update(
                provider_intent_id=state.intent_id
            )
            if updated:
                _log(payment, "intent_created", intent=state.intent_id)
        payment.provider_intent_id = state.intent_id
    return state


def confirm_payment(*, payment: Payment, token: str | None, return_url: str, notify_url: str) -> NextStep:
    """Pay with a card token from the gateway (API path), or fetch the outcome when there is none.
    A token for a failed or cancelled payment is refused: that payment can take no money."""
    if payment.status in (S.FAILED, S.CANCELLED) and token:
        raise Conflict(_("This payment is closed and can no longer be paid."), code="payment_closed")
    if payment.status not in OPEN_STATUSES:
        return NextStep("none")
    manual = risk.require_cleared(payment=payment) if token else False
    if not payment.provider_intent_id:
        if not token:
            message = _("Send a card token, or start the payment on the payment page first.")
            raise InvalidInput(message, fields={"token": [message]})
        _ensure_intent(payment=payment, return_url=return_url, notify_url=notify_url, manual_capture=manual)
    provider = get_provider(payment.provider)
    try:
        state = provider.confirm(intent_id=str(payment.provider_intent_id), token=token)
    except ProviderError as exc:
        message = failure_message(exc.code)
        _record_refused(payment, exc.code)
        raise InvalidInput(message, fields={"token": [message]}, code=exc.code) from exc
    apply_intent_state(payment_id=payment.pk, state=state, source="confirm")
    if state.status == provider_status.REQUIRES_ACTION:
        return NextStep("redirect", state.redirect_url)
    return NextStep("none")


def _record_refused(payment: Payment, code: str) -> None:
    with transaction.atomic():
        _log(payment, "confirm_refused", code=code)


def sync_payment(*, payment: Payment) -> Payment:
    """Ask the provider for the intent's state (the customer came back from the hosted page)."""
    if payment.provider_intent_id and payment.status in OPEN_STATUSES:
        try:
            state = get_provider(payment.provider).confirm(intent_id=payment.provider_intent_id)
        except ProviderError:
            logger.warning("Payment %s: could not fetch the intent", payment.number)
            return payment
        apply_intent_state(payment_id=payment.pk, state=state, source="return")
        payment.refresh_from_db()
    return payment


def cancel_payment(*, payment: Payment) -> Payment:
    """Give up an unpaid payment (e.g. its order expired). If the customer paid meanwhile, it stays paid:
    the caller sees ``succeeded`` and must refund instead. An authorised payment (held for review) is voided."""
    if payment.status not in MOVABLE_STATUSES:
        return payment
    if payment.provider_intent_id:
        try:
            state = get_provider(payment.provider).cancel(intent_id=payment.provider_intent_id)
        except ProviderError as exc:
            raise Conflict(failure_message(exc.code), code="provider_error") from exc
        apply_intent_state(payment_id=payment.pk, state=state, source="cancel")
    else:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status in MOVABLE_STATUSES:
                locked.status = S.CANCELLED
                locked.save(update_fields=["status", "updated_at"])
                _log(locked, "cancelled", source="cancel")
                events.emit(topics.PAYMENT_CANCELLED, _payload(locked))
    payment.refresh_from_db()
    return payment


# --- moving a payment forward (never backwards) --------------------------------------------------------------

_TARGET = {
    provider_status.REQUIRES_PAYMENT_METHOD: S.REQUIRES_ACTION,
    provider_status.REQUIRES_ACTION: S.REQUIRES_ACTION,
    provider_status.PROCESSING: S.REQUIRES_ACTION,
    provider_status.REQUIRES_CAPTURE: S.AUTHORIZED,
    provider_status.SUCCEEDED: S.SUCCEEDED,
    provider_status.FAILED: S.FAILED,
    provider_status.CANCELED: S.CANCELLED,
}


def apply_intent_state(*, payment_id: int, state: IntentState, source: str) -> str:
    """Apply what the provider says about the intent, once. Returns the outcome for the timeline."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        return _apply_locked(payment, state, source)


def _apply_locked(payment: Payment, state: IntentState, source: str) -> str:
    target = _TARGET.get(state.status)
    if target is None:
        _log(payment, "unknown_status", status=state.status, source=source)
        return "unknown_status"
    if payment.provider_intent_id and state.intent_id != payment.provider_intent_id:
        return _flag(payment, f"state of another intent {state.intent_id}", source)
    if target == payment.status or (target == S.SUCCEEDED and payment.is_paid):
        return "unchanged"
    if payment.status not in MOVABLE_STATUSES or (payment.status == S.AUTHORIZED and target == S.REQUIRES_ACTION):
        # Out of order (a late "failed" after "succeeded") or a repeat: never move backwards.
        logger.warning(
            "Payment %s: ignored %s from %s (payment is %s)", payment.number, state.status, source, payment.status
        )
        _log(payment, "ignored", status=state.status, source=source, current=payment.status)
        return "ignored"
    if target == S.REQUIRES_ACTION:
        payment.status = S.REQUIRES_ACTION
        payment.save(update_fields=["status", "updated_at"])
        _log(payment, "requires_action", source=source)
        return "requires_action"
    if target == S.AUTHORIZED:
        return _authorize(payment, state, source)
    if target == S.SUCCEEDED:
        if state.amount != payment.money or state.captured != payment.money:
            return _flag(
                payment,
                f"provider reported {state.amount} (captured {state.captured}), expected {payment.money}",
                source,
            )
        payment.status = S.SUCCEEDED
        payment.captured_amount = state.captured.amount
        payment.paid_at = timezone.now()
        payment.method = state.method if state.method in Payment.Method.values else payment.method
        payment.card_brand = state.card_brand
        payment.card_last4 = state.card_last4
        payment.save()
        _log(payment, "succeeded", source=source, method=payment.method, card_last4=payment.card_last4)
        _remember_card(payment, state)
        events.emit(
            topics.PAYMENT_SUCCEEDED,
            _payload(payment, method=payment.method, customer_id=payment.customer_id),
        )
        return "succeeded"
    if target == S.FAILED:
        payment.status = S.FAILED
        payment.failure_code = state.failure_code[:40]
        payment.card_brand = state.card_brand
        payment.card_last4 = state.card_last4
        payment.save()
        _log(payment, "failed", source=source, code=payment.failure_code)
        events.emit(topics.PAYMENT_FAILED, _payload(payment, failure_code=payment.failure_code))
        return "failed"
    payment.status = S.CANCELLED
    payment.save(update_fields=["status", "updated_at"])
    _log(payment, "cancelled", source=source)
    events.emit(topics.PAYMENT_CANCELLED, _payload(payment))
    return "cancelled"


def _authorize(payment: Payment, state: IntentState, source: str) -> str:
    """The card is authorised, not captured: the payment waits for a risk review (``capture_payment``)."""
    if state.amount != payment.money:
        return _flag(payment, f"provider authorised {state.amount}, expected {payment.money}", source)
    payment.status = S.AUTHORIZED
    payment.method = state.method if state.method in Payment.Method.values else payment.method
    payment.card_brand = state.card_brand
    payment.card_last4 = state.card_last4
    payment.save()
    _log(payment, "authorized", source=source, method=payment.method, card_last4=payment.card_last4)
    _remember_card(payment, state)
    return "authorized"


def _remember_card(payment: Payment, state: IntentState) -> None:
    if state.saved_card is not None:  # the customer ticked "save this card" on the gateway's page
        from zizhu.payments.saved_cards import remember_locked

        remember_locked(payment, state)


def capture_payment(*, payment: Payment) -> Payment:
    """Capture an authorised payment (a reviewer approved it); safe to repeat. Outside any transaction."""
    payment.refresh_from_db()
    if payment.status != S.AUTHORIZED or not payment.provider_intent_id:
        return payment
    try:
        state = get_provider(payment.provider).capture(intent_id=payment.provider_intent_id)
    except ProviderError as exc:
        raise Conflict(failure_message(exc.code), code="provider_error") from exc
    apply_intent_state(payment_id=payment.pk, state=state, source="capture")
    payment.refresh_from_db()
    return payment


def _flag(payment: Payment, reason: str, source: str) -> str:
    logger.error("Payment %s flagged: %s", payment.number, reason)
    payment.flagged = True
    payment.flag_reason = reason[:200]
    payment.save(update_fields=["flagged", "flag_reason", "updated_at"])
    _log(payment, "flagged", reason, source=source)
    events.emit(topics.PAYMENT_FLAGGED, {"number": payment.number, "reference": payment.reference, "reason": reason})
    return "flagged"


# --- webhooks ---------------------------------------------------------------------------------------------------


def handle_webhook(*, provider_name: str, body: bytes, headers: Any) -> str:
    """Verify, deduplicate and apply one provider webhook. Bad signatures change nothing (400)."""
    provider = get_provider(provider_name)
    try:
        event = provider.verify_and_parse_webhook(body=body, headers=headers)
    except WebhookRejected as exc:
        logger.warning("Rejected %s webhook: %s", provider_name, exc)
        raise WebhookInvalid(_("The webhook signature is missing, wrong or too old."), code="webhook_invalid") from exc
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = WebhookEvent.objects.create(
                    provider=provider_name, event_id=event.event_id, event_type=event.event_type, outcome="received"
                )
        except IntegrityError:
            logger.info("Duplicate %s webhook %s ignored", provider_name, event.event_id)
            return "duplicate"
        outcome = "unknown_intent"
        payment = None
        if event.intent is not None:
            payment = Payment.objects.select_for_update().filter(provider_intent_id=event.intent.intent_id).first()
        if payment is None:
            logger.warning("Webhook %s names an unknown intent", event.event_id)
        elif event.refund is not None:
            outcome = _apply_refund_webhook(payment, event.refund)
        else:
            outcome = _apply_locked(payment, event.intent, "webhook") if event.intent else "ignored"
            if payment is not None:
                _log(payment, "webhook", event=event.event_id, type=event.event_type, outcome=outcome)
        record.payment = payment
        record.outcome = outcome
        record.save(update_fields=["payment", "outcome"])
    return outcome


# --- refunds -------------------------------------------------------------------------------------------------------


def refund_payment(*, payment: Payment, amount: Money, reason: str = "", staff: Any = None) -> Refund:
    """Refund part or all of what was captured. Never more than captured in total, also concurrently."""
    try:
        if not isinstance(amount, Money) or amount.amount <= 0 or amount.currency != payment.currency:
            raise MoneyError("bad refund amount")
    except MoneyError as exc:
        message = _("Enter a refund amount above zero, in the payment's currency.")
        raise InvalidInput(message, fields={"amount": [message]}) from exc
    if staff is not None:
        roles.require_permission(staff, "payments.add_refund")
    with transaction.atomic():
        # The reservation: the database refuses it when it would exceed the captured amount.
        reserved = Payment.objects.filter(
            pk=payment.pk,
            status__in=PAID_STATUSES,
            refunded_amount__lte=F("captured_amount") - amount.amount,
        ).update(refunded_amount=F("refunded_amount") + amount.amount, updated_at=timezone.now())
        if not reserved:
            payment.refresh_from_db()
            message = _("At most %(left)s can be refunded.") % {"left": payment.refundable}
            if payment.status not in PAID_STATUSES:
                message = _("Only a paid payment can be refunded.")
            raise InvalidInput(message, fields={"amount": [message]}, code="refund_not_possible")
        refund = Refund.objects.create(
            payment=payment,
            amount=amount.amount,
            reason=reason[:200],
            requested_by=staff if staff is not None and getattr(staff, "is_authenticated", False) else None,
        )
        _log(payment, "refund_requested", refund=refund.number, amount=f"{amount.amount:.2f}")
        # Every refund is audited, by staff or automatic (a customer's own cancellation: no actor).
        audit.record(
            actor=staff,
            action="payment.refund",
            target=refund,
            summary=f"{refund.number}: {amount} of payment {payment.number} ({payment.reference}); {reason[:100]}",
        )
    return send_refund(refund=refund)


def send_refund(*, refund: Refund) -> Refund:
    """Send a reserved refund to the provider (after commit) and record the answer."""
    payment = refund.payment
    try:
        result = get_provider(payment.provider).refund(
            intent_id=str(payment.provider_intent_id),
            amount=Money.of(refund.amount, payment.currency),
            idempotency_key=refund.number,  # a resend never refunds twice
        )
    except ProviderError as exc:
        if exc.retryable:
            logger.warning("Refund %s not sent yet (%s): will retry", refund.number, exc.code)
            return refund
        _fail_refund(refund_id=refund.pk, code=exc.code)
    else:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            _complete_refund_locked(locked, refund.pk, result)
    refund.refresh_from_db()
    return refund


def _complete_refund_locked(payment: Payment, refund_id: int, result: RefundState) -> str:
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status != Refund.Status.PENDING:
        return "unchanged"
    refund.status = Refund.Status.SUCCEEDED
    refund.provider_refund_id = result.refund_id
    refund.completed_at = timezone.now()
    refund.save()
    confirmed = Refund.objects.filter(payment=payment, status=Refund.Status.SUCCEEDED).aggregate(total=Sum("amount"))
    total = confirmed["total"] or 0
    fully = total >= payment.captured_amount
    new_status = S.REFUNDED if fully else S.PARTIALLY_REFUNDED
    if payment.status != S.REFUNDED and payment.status != new_status:
        payment.status = new_status
        payment.save(update_fields=["status", "updated_at"])
    _log(payment, "refunded", refund=refund.number, amount=f"{refund.amount:.2f}")
    events.emit(
        topics.PAYMENT_REFUNDED,
        _payload(
            payment,
            amount=f"{refund.amount:.2f}",
            refund=refund.number,
            refunded_total=f"{total:.2f}",
            fully_refunded=fully,
        ),
    )
    return "refunded"


def _fail_refund(*, refund_id: int, code: str) -> None:
    with transaction.atomic():
        payment_id = Refund.objects.values_list("payment_id", flat=True).get(pk=refund_id)
        Payment.objects.select_for_update().get(pk=payment_id)  # the same lock order as the completion
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status != Refund.Status.PENDING:
            return
        refund.status = Refund.Status.FAILED
        refund.failure_code = code[:40]
        refund.completed_at = timezone.now()
        refund.save()
        # Release the reservation.
        Payment.objects.filter(pk=refund.payment_id).update(refunded_amount=F("refunded_amount") - refund.amount)
        _log(refund.payment, "refund_failed", refund=refund.number, code=code)
    logger.error("Refund %s failed at the provider: %s", refund.number, code)


def _apply_refund_webhook(payment: Payment, state: RefundState) -> str:
    refund = Refund.objects.filter(payment=payment, number=state.merchant_key).first()
    if refund is None:
        _log(payment, "unknown_refund", refund=state.refund_id)
        return "unknown_refund"
    if state.status != "succeeded":
        return "ignored"
    if state.amount != Money.of(refund.amount, payment.currency):
        return _flag(payment, f"refund {refund.number}: provider reported {state.amount}", "webhook")
    return _complete_refund_locked(payment, refund.pk, state)


def retry_pending_refunds() -> int:
    """Periodic job: refunds reserved but never confirmed (the process died after commit) are sent again."""
    cutoff = timezone.now() - PENDING_REFUND_RETRY_AFTER
    pending = Refund.objects.filter(status=Refund.Status.PENDING, created_at__lt=cutoff).select_related("payment")
    done = 0
    for refund in pending[:100]:
        if send_refund(refund=refund).status != Refund.Status.PENDING:
            done += 1
    return done
