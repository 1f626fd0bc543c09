"""Card input on the gateway's hosted page: Luhn check, expiry, CVC and the sandbox test cards.

Only the outcome of this check (brand, last 4 digits, expiry and the test behaviour) is kept;
the number and the CVC are dropped as soon as the request ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from zizhu.payments.sandbox_gateway.models import GatewayCard

TEST_CARDS = {
    "4242424242424242": GatewayCard.Behaviour.SUCCEED,
    "4000000000000002": GatewayCard.Behaviour.DECLINE,
    "4000000000009995": GatewayCard.Behaviour.INSUFFICIENT_FUNDS,
    "4000000000003220": GatewayCard.Behaviour.THREE_D_SECURE,
}
_SEPARATORS = re.compile(r"[\s-]")
_EXPIRY = re.compile(r"^(\d{1,2})\s*/\s*(\d{2}|\d{4})$")


class CardInvalid(ValueError):
    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields
        super().__init__("; ".join(f"{name}: {msgs[0]}" for name, msgs in fields.items()))


@dataclass(frozen=True)
class CheckedCard:
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    behaviour: str


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def brand_of(digits: str) -> str:
    if digits.startswith("4"):
        return "visa"
    if digits[:2] in {"51", "52", "53", "54", "55"} or 2221 <= int(digits[:4] or 0) <= 2720:
        return "mastercard"
    if digits.startswith("62"):
        return "unionpay"
    if digits[:2] in {"34", "37"}:
        return "amex"
    return "card"


def check_card(*, number: str, expiry: str, cvc: str, today: date) -> CheckedCard:
    """Validate what the customer typed; raise ``CardInvalid`` with a message per field."""
    fields: dict[str, list[str]] = {}
    digits = _SEPARATORS.sub("", number or "")
    behaviour = ""
    if not digits:
        fields["number"] = [_("Enter the card number.")]
    elif not digits.isascii() or not digits.isdigit() or not 12 <= len(digits) <= 19:
        fields["number"] = [_("A card number has 12 to 19 digits.")]
    elif not luhn_valid(digits):
        fields["number"] = [_("This card number is not valid. Please check the digits.")]
    elif digits not in TEST_CARDS:
        fields["number"] = [_("This is a test payment page: use one of the test card numbers shown below.")]
    else:
        behaviour = TEST_CARDS[digits]
    exp_month = exp_year = 0
    match = _EXPIRY.match((expiry or "").strip())
    if not match:
        fields["expiry"] = [_("Enter the expiry date as MM/YY, for example 12/30.")]
    else:
        exp_month = int(match.group(1))
        exp_year = int(match.group(2))
        exp_year = exp_year + 2000 if exp_year < 100 else exp_year
        if not 1 <= exp_month <= 12:
            fields["expiry"] = [_("The month must be between 01 and 12.")]
        elif (exp_year, exp_month) < (today.year, today.month):
            fields["expiry"] = [_("This card has expired.")]
        elif exp_year > today.year + 20:
            fields["expiry"] = [_("Enter the expiry date as MM/YY, for example 12/30.")]
    cvc = (cvc or "").strip()
    if not (cvc.isascii() and cvc.isdigit() and len(cvc) in (3, 4)):
        fields["cvc"] = [_("The security code is the 3 or 4 digits on the back of the card.")]
    if fields:
        raise CardInvalid(fields)
    return CheckedCard(brand_of(digits), digits[-4:], exp_month, exp_year, behaviour)
