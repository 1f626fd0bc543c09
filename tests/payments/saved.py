"""A saved card made directly, as after "save this card for next time" (for tests of other folders too)."""

from __future__ import annotations

from zizhu.payments import saved_cards
from zizhu.payments.models import SavedCard
from zizhu.payments.sandbox_gateway.models import GatewayPaymentMethod


def saved_card(customer, behaviour: str = "succeed", *, last4: str = "4242", exp_year: int = 2034) -> SavedCard:
    """A card kept at the gateway for ``customer`` and its token at the shop."""
    method = GatewayPaymentMethod.objects.create(
        customer_ref=saved_cards.customer_ref(customer.pk),
        brand="visa",
        last4=last4,
        exp_month=12,
        exp_year=exp_year,
        behaviour=behaviour,
    )
    return SavedCard.objects.create(
        customer=customer, token=method.pk, brand="visa", last4=last4, exp_month=12, exp_year=exp_year
    )
