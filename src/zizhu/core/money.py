"""Money: a Decimal amount with a currency. All shop arithmetic goes through here.

Rules (DESIGN.md §5): never floats; amounts are rounded half-up to the fen (0.01) at
the line level; adding different currencies is an error; splitting an amount into
parts preserves the total to the fen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DEFAULT_CURRENCY = "CNY"
FEN = Decimal("0.01")
CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$"}


class MoneyError(ValueError):
    """Raised for invalid amounts (floats, NaN, infinities) or mixed currencies."""


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Convert an int, str or Decimal to a finite Decimal. Floats are refused."""
    if isinstance(value, (bool, float)):
        raise MoneyError("Money amounts must not be floats or booleans")
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"Not an amount: {value!r}") from exc
    if not result.is_finite():
        raise MoneyError(f"Not a finite amount: {value!r}")
    return result


def quantize(amount: Decimal) -> Decimal:
    """Round half-up to the fen."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", quantize(to_decimal(self.amount)))
        if not (isinstance(self.currency, str) and len(self.currency) == 3 and self.currency.isalpha()):
            raise MoneyError(f"Not an ISO 4217 currency code: {self.currency!r}")
        object.__setattr__(self, "currency", self.currency.upper())

    # --- construction -------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(to_decimal(amount), currency)

    # --- arithmetic -----------------------------------------------------------------------
    def _same_currency(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise MoneyError(f"Cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"Cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same_currency(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same_currency(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        """Multiply by a quantity or rate; the result is rounded half-up to the fen."""
        if isinstance(factor, (bool, float)) or not isinstance(factor, (int, Decimal)):
            raise MoneyError("Multiply money by an int or a Decimal only")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same_currency(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same_currency(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same_currency(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same_currency(other).amount

    def __bool__(self) -> bool:
        return self.amount != 0

    def is_negative(self) -> bool:
        return self.amount < 0

    def clamp_at_zero(self) -> Money:
        """A total never goes below zero (e.g. a voucher larger than the order)."""
        return self if self.amount >= 0 else Money.zero(self.currency)

    def percent(self, rate_percent: Decimal | int | str) -> Money:
        """``rate_percent`` % of this amount, rounded half-up to the fen."""
        return Money(self.amount * to_decimal(rate_percent) / 100, self.currency)

    def allocate(self, weights: Sequence[Decimal | int]) -> list[Money]:
        """Split into parts proportional to ``weights``; the parts add up exactly.

        Used to spread an order discount over its lines. Left-over fen go to the
        parts with the largest remainders (largest remainder method).
        """
        decimal_weights = [to_decimal(w) for w in weights]
        if not decimal_weights or any(w < 0 for w in decimal_weights) or sum(decimal_weights) == 0:
            raise MoneyError("Weights must be non-negative and not all zero")
        total_fen = int(self.amount / FEN)
        weight_sum = sum(decimal_weights)
        exact = [Decimal(total_fen) * w / weight_sum for w in decimal_weights]
        floors = [int(x.to_integral_value(rounding="ROUND_FLOOR")) for x in exact]
        remainder = total_fen - sum(floors)
        order = sorted(range(len(exact)), key=lambda i: exact[i] - floors[i], reverse=True)
        for index in order[:remainder]:
            floors[index] += 1
        return [Money(Decimal(f) * FEN, self.currency) for f in floors]

    # --- presentation ----------------------------------------------------------------------
    def as_dict(self) -> dict[str, str]:
        """The API shape: amounts are strings."""
        return {"amount": f"{self.amount:.2f}", "currency": self.currency}

    def __str__(self) -> str:
        symbol = CURRENCY_SYMBOLS.get(self.currency, self.currency + " ")
        sign = "-" if self.amount < 0 else ""
        return f"{sign}{symbol}{abs(self.amount):,.2f}"


def sum_money(items: Iterable[Money], currency: str = DEFAULT_CURRENCY) -> Money:
    total = Money.zero(currency)
    for item in items:
        total = total + item
    return total
