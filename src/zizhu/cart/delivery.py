"""Delivery options (standard, express, store pickup): fee and estimated date.

They live with the cart because the cart page shows the full total including delivery from
the start; the checkout (above the cart in DESIGN.md §3) uses the same module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from zizhu.core.money import Money


@dataclass(frozen=True)
class DeliveryOption:
    code: str
    label: Any
    description: Any
    fee: Money
    free_from: Money | None
    days: int

    def fee_for(self, subtotal: Money) -> Money:
        if self.free_from is not None and subtotal >= self.free_from:
            return Money.zero(subtotal.currency)
        return Money.of(self.fee.amount, subtotal.currency)

    def estimated_date(self, *, today: date, build_days: int = 0) -> date:
        return today + timedelta(days=max(self.days, build_days))


OPTIONS: dict[str, DeliveryOption] = {
    option.code: option
    for option in (
        DeliveryOption(
            "standard",
            _("Standard delivery"),
            _("Free from ¥99"),
            Money.of("10.00"),
            Money.of("99.00"),
            3,
        ),
        DeliveryOption("express", _("Express delivery"), _("Next day in most cities"), Money.of("22.00"), None, 1),
        DeliveryOption("pickup", _("Pick up in a store"), _("Free, ready the next day"), Money.zero(), None, 1),
    )
}
DEFAULT = "standard"


def get_option(code: str | None) -> DeliveryOption | None:
    return OPTIONS.get(code or "")
