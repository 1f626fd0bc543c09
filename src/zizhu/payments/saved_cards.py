"""Saved cards: "save this card for next time" on the gateway's page, then pay with it in one click.

The gateway keeps the card (it is the only place a card number ever exists) and gives the shop a
reusable token with the brand, last 4 digits and expiry (``providers.base.SavedCardState``). The
shop keeps them in ``SavedCard`` (token encrypted at rest). Paying with a saved card goes through
the same steps as any card payment: ``start_payment`` (the risk check — a second factor or a staff
review still applies, there is no bypass) and then the provider charges the token server to server;
a 3-D Secure card still sends the customer to its challenge page. Nothing is typed, so it asks for the
second factor by default: only 小额免密支付 (``password_free``, opt-in, with a limit) skips it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.core.crypto import DecryptionError, blind_index
from zizhu.core.errors import Conflict, InvalidInput, NotFound
from zizhu.payments import selectors, services
from zizhu.payments.models import Payment, PaymentEvent, SavedCard
from zizhu.payments.providers import base as provider_status
from zizhu.payments.providers import get_provider
from zizhu.payments.providers.base import IntentState, ProviderError

logger = logging.getLogger(__name__)
FIELD = "saved_card"


def customer_ref(customer_id: int | None) -> str:
    """The gateway's name for a shop customer: stable (the blind-index key does not rotate), not the id."""
    if not customer_id:
        return ""
    return "cus_" + blind_index(str(customer_id), purpose="payments.gateway-customer")[:32]


def remember_locked(payment: Payment, state: IntentState) -> None:
    """The gateway saved the card of this (locked) payment: keep its token for the payment's customer."""
    saved = state.saved_card
    if saved is None or payment.customer_id is None:
        return
    if SavedCard.objects.filter(provider=payment.provider, token=saved.token).exists():
        return
    try:
        with transaction.atomic():
            SavedCard.objects.create(
                customer_id=payment.customer_id,
                provider=payment.provider,
                token=saved.token,
                brand=saved.brand[:20],
                last4=saved.last4[-4:],
                exp_month=saved.exp_month,
                exp_year=saved.exp_year,
                last_used_at=timezone.now(),
            )
    except IntegrityError:  # saved by a concurrent answer about the same payment
        return
    PaymentEvent.objects.create(payment=payment, kind="card_saved", data={"brand": saved.brand, "last4": saved.last4})


def _not_found() -> NotFound:
    message = _("This saved card was not found: it may have been removed. Please choose another way to pay.")
    return NotFound(message, fields={FIELD: [message]}, code="saved_card_not_found")


def _token_of(card: SavedCard) -> str:
    try:
        token = SavedCard.objects.filter(pk=card.pk).values_list("token", flat=True).first()
    except DecryptionError:
        token = None
    if not token:
        logger.error("Saved card %s: its stored token cannot be read", card.pk)
        message = _("This saved card cannot be used any more. Please remove it and pay with the card's details.")
        raise InvalidInput(message, fields={FIELD: [message]}, code="saved_card_invalid")
    return str(token)


def usable_card(*, payment: Payment, card_id: Any, user: Any) -> SavedCard:
    """The customer's own saved card that has not expired, for their own payment; else 404 / 422."""
    card = selectors.saved_card_for(user=user, card_id=card_id)
    if card is None or payment.customer_id is None or payment.customer_id != getattr(user, "pk", None):
        raise _not_found()
    if card.is_expired():
        message = _("This card has expired. Please choose another card or pay another way.")
        raise InvalidInput(message, fields={FIELD: [message]}, code="card_expired")
    return card


def pay_with_saved_card(
    *, payment: Payment, card_id: Any, user: Any, return_url: str, notify_url: str
) -> services.NextStep:
    """Charge the customer's saved card for ``payment``. Safe to repeat: a closed payment is never charged again.

    Raises ``SecondFactorRequired`` (risk) like ``start_payment``; ``NotFound`` for a card that is not the
    customer's own; ``InvalidInput`` for an expired card or one the gateway refuses (nothing is charged)."""
    card = usable_card(payment=payment, card_id=card_id, user=user)
    if payment.status in (Payment.Status.FAILED, Payment.Status.CANCELLED):
        raise Conflict(_("This payment is closed and can no longer be paid."), code="payment_closed")
    if payment.status not in services.OPEN_STATUSES:
        return services.NextStep("none")
    token = _token_of(card)
    # The same way as every card payment: risk check (second factor / review), the intent, the method;
    # and the second factor unless password-free payment covers this amount.
    services.start_payment(
        payment=payment, method=Payment.Method.CARD, return_url=return_url, notify_url=notify_url, saved_card=True
    )
    payment.refresh_from_db()
    if payment.status not in services.OPEN_STATUSES or not payment.provider_intent_id:
        return services.NextStep("none")
    try:
        state = get_provider(card.provider).charge_saved_card(
            intent_id=payment.provider_intent_id, card_token=token, customer_ref=customer_ref(payment.customer_id)
        )
    except ProviderError as exc:
        if exc.code == "intent_unexpected_state":
            # A concurrent click (or another tab) paid or closed it first: one charge; its result is the answer.
            services.sync_payment(payment=payment)
            return services.NextStep("none")
        with transaction.atomic():
            PaymentEvent.objects.create(
                payment=payment, kind="confirm_refused", data={"code": exc.code, "card": card.pk}
            )
        if exc.code in ("payment_method_invalid", "card_expired"):
            message = _("This saved card cannot be used any more. Please remove it and pay with the card's details.")
        else:
            message = services.failure_message(exc.code)
        raise InvalidInput(message, fields={FIELD: [message]}, code=exc.code) from exc
    services.apply_intent_state(payment_id=payment.pk, state=state, source="saved_card")
    SavedCard.objects.filter(pk=card.pk).update(last_used_at=timezone.now())
    if state.status == provider_status.REQUIRES_ACTION:
        return services.NextStep("redirect", state.redirect_url)
    return services.NextStep("none")


def remove_saved_card(*, user: Any, card_id: Any) -> None:
    """The customer removes a saved card: detached at the gateway first (never charged again), then forgotten."""
    card = selectors.saved_card_for(user=user, card_id=card_id)
    if card is None:
        raise _not_found()
    try:
        token = _token_of(card)
    except InvalidInput:
        token = ""  # unreadable: nothing the shop could charge with; forget it
    if token:
        try:
            get_provider(card.provider).detach_saved_card(card_token=token, customer_ref=customer_ref(user.pk))
        except ProviderError as exc:
            if exc.retryable:
                raise Conflict(
                    _("The card could not be removed just now. Please try again."), code="provider_error"
                ) from exc
            logger.warning("Saved card %s: the gateway did not know it (%s); removed here", card.pk, exc.code)
    SavedCard.objects.filter(pk=card.pk, customer_id=user.pk).delete()


def erase(user: Any) -> None:
    """Privacy "delete my account": the saved cards go, and are detached at the gateway after commit."""
    tokens: list[tuple[str, str]] = []
    for card in selectors.saved_cards_for(user=user):
        try:
            tokens.append((card.provider, _token_of(card)))
        except InvalidInput:  # an unreadable token: nothing could charge it; dropped
            continue
    SavedCard.objects.filter(customer_id=user.pk).delete()
    ref = customer_ref(user.pk)

    def detach() -> None:
        for provider, token in tokens:
            try:
                get_provider(provider).detach_saved_card(card_token=token, customer_ref=ref)
            except ProviderError as exc:
                logger.warning("Could not detach an erased customer's saved card: %s", exc.code)

    transaction.on_commit(detach)


def export(user: Any) -> list[dict[str, Any]]:
    """Privacy "download my data": what the shop knows of the saved cards (never the token)."""
    fields = ("brand", "last4", "exp_month", "exp_year", "provider", "created_at", "last_used_at")
    return list(selectors.saved_cards_for(user=user).order_by("created_at", "id").values(*fields))
