"""Vouchers and automatic promotions: what a cart's total becomes (all arithmetic in core.money).

Order of application: the best automatic promotion whose threshold the subtotal reaches
(满300减30), then the voucher (a fixed amount, or a percentage of what is left, or free delivery),
each checked against the subtotal before discounts; the discount never exceeds the subtotal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.cart.pricing import Quote
from zizhu.checkout.models import Promotion, Voucher, VoucherRedemption
from zizhu.core import sql
from zizhu.core.errors import InvalidInput
from zizhu.core.money import Money


@dataclass(frozen=True)
class Priced:
    subtotal: Money
    promotion: Money
    promotion_name: str
    voucher: Money
    voucher_code: str
    delivery_fee: Money
    total: Money

    @property
    def discount(self) -> Money:
        return self.promotion + self.voucher


# Plain SQL: every checkout runs it, and the ORM spent more Python time building it than the
# database spent answering (flash-sale profile, docs/ordering.md): active, started, not ended,
# threshold reached; the largest amount wins.
_BEST_PROMOTION = (
    "SELECT id, name_zh, name_en, threshold, amount, valid_from, valid_until, is_active FROM checkout_promotion "
    "WHERE is_active AND valid_from <= %s AND (valid_until IS NULL OR valid_until > %s) AND threshold <= %s "
    "ORDER BY amount DESC, id LIMIT 1"
)


def best_promotion(subtotal: Money, *, now: datetime | None = None) -> Promotion | None:
    now = now or timezone.now()
    db = sql.default_connection()
    with db.cursor() as cursor:
        at = db.ops.adapt_datetimefield_value(now)
        cursor.execute(_BEST_PROMOTION, [at, at, db.ops.adapt_decimalfield_value(subtotal.amount)])
        row = cursor.fetchone()
    if row is None:
        return None
    names = ["id", "name_zh", "name_en", "threshold", "amount", "valid_from", "valid_until", "is_active"]
    return Promotion.from_db(db.alias, names, row)


def _voucher_error(message: str) -> InvalidInput:
    return InvalidInput(message, fields={"voucher": [message]}, code="voucher_invalid")


def find_voucher(code: Any, *, subtotal: Money, customer: Any, email: str, now: datetime | None = None) -> Voucher:
    """The voucher for ``code`` if this customer may use it on this subtotal; else InvalidInput."""
    now = now or timezone.now()
    text = code.strip().upper() if isinstance(code, str) else ""
    voucher = Voucher.objects.filter(code=text).first() if 0 < len(text) <= 32 else None
    if voucher is None:
        raise _voucher_error(_("We do not know this voucher code. Please check it."))
    if not voucher.is_active:
        raise _voucher_error(_("This voucher is no longer valid."))
    if voucher.valid_from > now:
        raise _voucher_error(_("This voucher is not valid yet."))
    if voucher.valid_until is not None and voucher.valid_until <= now:
        raise _voucher_error(_("This voucher has expired."))
    if subtotal.amount < voucher.min_spend:
        minimum = Money.of(voucher.min_spend, subtotal.currency)
        raise _voucher_error(_("This voucher needs a spend of at least %(min)s.") % {"min": minimum})
    if voucher.max_uses is not None and voucher.used_count >= voucher.max_uses:
        raise _voucher_error(_("This voucher has been used up."))
    if voucher.per_customer is not None and _uses_by(voucher, customer, email) >= voucher.per_customer:
        raise _voucher_error(_("You have already used this voucher."))
    return voucher


def _uses_by(voucher: Voucher, customer: Any, email: str) -> int:
    if customer is not None and getattr(customer, "is_authenticated", False):
        return VoucherRedemption.objects.filter(voucher=voucher, customer_id=customer.pk).count()
    if email:
        return VoucherRedemption.objects.filter(voucher=voucher, email__iexact=email).count()
    return 0


def price(quote: Quote, *, voucher: Voucher | None = None, now: datetime | None = None) -> Priced:
    subtotal = quote.subtotal
    promotion = best_promotion(subtotal, now=now) if quote.lines else None
    promotion_off = Money.of(promotion.amount, subtotal.currency) if promotion else Money.zero(subtotal.currency)
    promotion_off = min(promotion_off, subtotal, key=lambda m: m.amount)
    left = subtotal - promotion_off
    voucher_off = Money.zero(subtotal.currency)
    fee = quote.delivery_fee
    if voucher is not None:
        if voucher.kind == Voucher.Kind.FIXED:
            voucher_off = Money.of(voucher.value, subtotal.currency)
        elif voucher.kind == Voucher.Kind.PERCENT:
            voucher_off = left.percent(voucher.value)
        else:
            fee = Money.zero(subtotal.currency)
        voucher_off = min(voucher_off, left, key=lambda m: m.amount)
    total = (subtotal - promotion_off - voucher_off).clamp_at_zero() + fee
    return Priced(
        subtotal=subtotal,
        promotion=promotion_off,
        promotion_name=promotion.name if promotion else "",
        voucher=voucher_off,
        voucher_code=voucher.code if voucher else "",
        delivery_fee=fee,
        total=total,
    )


def redeem(*, voucher: Voucher, order_number: str, customer: Any, email: str) -> None:
    """Inside place_order's transaction: one conditional UPDATE takes a use (the database refuses
    more than ``max_uses``, also concurrently) and locks the voucher row, so the per-customer count
    that follows sees every committed use."""
    taken = (
        Voucher.objects.filter(pk=voucher.pk, is_active=True)
        .filter(Q(max_uses__isnull=True) | Q(used_count__lt=F("max_uses")))
        .update(used_count=F("used_count") + 1)
    )
    if not taken:
        raise _voucher_error(_("This voucher has been used up."))
    if voucher.per_customer is not None and _uses_by(voucher, customer, email) >= voucher.per_customer:
        raise _voucher_error(_("You have already used this voucher."))
    signed_in = customer is not None and getattr(customer, "is_authenticated", False)
    VoucherRedemption.objects.create(
        voucher=voucher, order_number=order_number, customer=customer if signed_in else None, email=email
    )


def give_back(*, order_number: str) -> bool:
    """A cancelled order returns its voucher use. Repeating it does nothing."""
    redemption = VoucherRedemption.objects.select_for_update().filter(order_number=order_number).first()
    if redemption is None:
        return False
    Voucher.objects.filter(pk=redemption.voucher_id, used_count__gt=0).update(used_count=F("used_count") - 1)
    redemption.delete()
    return True
