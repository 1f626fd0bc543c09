"""Cart services: add, change, remove lines; merge a guest's cart at sign-in; freeze at checkout.

Quantities are whole numbers from 1 to the product's limit (``inventory.selectors``), which holds
for all of a product's lines together (sizes, colours); anything else is refused with 422 and the
cart stays as it was. An unusual quantity needs ``confirmed=True``
("are you sure?"): more than ``settings.ZIZHU_CART_CONFIRM_ABOVE`` (20) of one item, or more than
``ZIZHU_CART_UNUSUAL_FACTOR`` (5) times the most this customer ordered of it (or of its category) before.
Every change locks the cart row, so a cart frozen by ``place_order`` cannot change any more.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from zizhu.cart.models import Cart, CartLine
from zizhu.cart.selectors import usual_quantity
from zizhu.catalog.models import ConfiguredSku, Variant
from zizhu.catalog.owners import Owner
from zizhu.core import sql
from zizhu.core.errors import Conflict, InvalidInput, NotFound
from zizhu.inventory.selectors import quantity_limits

MAX_DIGITS = 6


class ConfirmationRequired(Conflict):
    code = "quantity_confirmation_required"


def parse_quantity(raw: Any) -> int:
    """A whole number from an API value or a form field; anything else is InvalidInput."""
    message = _("Enter a whole number, for example 1 or 2.")
    if isinstance(raw, bool):
        raise InvalidInput(message, fields={"quantity": [message]})
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS:
            return int(text)
    raise InvalidInput(message, fields={"quantity": [message]})


def confirm_threshold() -> int:
    return int(getattr(settings, "ZIZHU_CART_CONFIRM_ABOVE", 20))


def unusual_factor() -> int:
    return int(getattr(settings, "ZIZHU_CART_UNUSUAL_FACTOR", 5))


def _ask_if_unusual(*, quantity: int, product: Any, user_id: int | None) -> None:
    if quantity > confirm_threshold():
        message = _("That is %(count)s of one item. Are you sure? Confirm to add them.") % {"count": quantity}
        raise ConfirmationRequired(message, fields={"quantity": [message]})
    usual = usual_quantity(user_id=user_id, product=product) if quantity > 1 else None
    if usual and quantity > unusual_factor() * usual:
        message = _(
            "That is %(count)s, far more than the %(usual)s you usually order of this kind of item. "
            "Are you sure? Confirm to add them."
        ) % {"count": quantity, "usual": usual}
        raise ConfirmationRequired(message, fields={"quantity": [message]})


def open_cart(*, owner: Owner, create: bool) -> Cart | None:
    """The owner's open cart (created when ``create``)."""
    lookup: dict[str, Any] = (
        {"user": owner.user} if owner.user is not None else {"user__isnull": True, "guest_key": owner.session_key}
    )
    cart = Cart.objects.filter(status=Cart.Status.OPEN, **lookup).first()
    if cart is None and create:
        fields = {"user": owner.user} if owner.user is not None else {"user": None, "guest_key": owner.session_key}
        with transaction.atomic():
            cart, _created = Cart.objects.get_or_create(status=Cart.Status.OPEN, **fields)
    return cart


def _lock_open(cart: Cart) -> Cart:
    locked = Cart.objects.select_for_update().filter(pk=cart.pk).first()
    if locked is None or locked.status != Cart.Status.OPEN:
        raise Conflict(
            _("This cart has already been ordered and cannot be changed. Your next item starts a new cart."),
            code="cart_closed",
        )
    return locked


def _find_item(sku: str) -> tuple[Variant | None, ConfiguredSku | None]:
    sku = (sku or "").strip()[:64]
    variant = Variant.objects.select_related("product").filter(sku=sku).first() if sku else None
    if variant is not None and variant.is_active and variant.product.is_active:
        return variant, None
    configured = ConfiguredSku.objects.select_related("product").filter(sku=sku).first() if sku else None
    if configured is not None and configured.product.is_active:
        return None, configured
    message = _("This item is not on sale.")
    raise InvalidInput(message, fields={"sku": [message]}, code="unknown_item")


def _check(
    *,
    cart: Cart,
    line: CartLine | None,
    quantity: int,
    variant: Variant | None,
    configured: ConfiguredSku | None,
    confirmed: bool,
) -> None:
    """``quantity`` is what ``line`` (None: a new line) of ``cart`` would hold."""
    product = variant.product if variant is not None else configured.product  # type: ignore[union-attr]
    limit = quantity_limits(products=[product])[product.pk]
    if quantity < 1 or quantity > limit:
        message = _("Choose a quantity from 1 to %(limit)s.") % {"limit": limit}
        raise InvalidInput(message, fields={"quantity": [message]})
    others = _other_lines_of(cart, product.pk, line)
    if others and quantity + others > limit:
        message = _(
            "At most %(limit)s of this product per order, all sizes and colours together: "
            "%(others)s are in your cart already."
        ) % {"limit": limit, "others": others}
        raise InvalidInput(message, fields={"quantity": [message]}, code="over_product_limit")
    if variant is not None and quantity > variant.stock:
        if variant.stock <= 0:
            message = _("Sorry, this item is out of stock.")
        else:
            message = _("Only %(count)s left in stock.") % {"count": variant.stock}
        raise InvalidInput(message, fields={"quantity": [message]}, code="not_enough_stock")
    if not confirmed:
        _ask_if_unusual(quantity=quantity, product=product, user_id=cart.user_id)


def _other_lines_of(cart: Cart, product_id: int, line: CartLine | None) -> int:
    """How many of the product the cart's other lines hold (its other variants or configurations)."""
    of_product = Q(variant__product_id=product_id) | Q(configured_sku__product_id=product_id)
    others = CartLine.objects.filter(of_product, cart=cart)
    if line is not None:
        others = others.exclude(pk=line.pk)
    return int(others.aggregate(n=Sum("quantity"))["n"] or 0)


def add_item(*, cart: Cart, sku: str, quantity: Any, confirmed: bool = False) -> CartLine:
    """Add ``quantity`` of the item ``sku`` (a variant or a configured SKU); the same item adds up."""
    quantity = parse_quantity(quantity)
    variant, configured = _find_item(sku)
    with transaction.atomic():
        cart = _lock_open(cart)
        target = {"variant": variant} if variant is not None else {"configured_sku": configured}
        line = CartLine.objects.filter(cart=cart, **target).first()
        new_quantity = quantity + (line.quantity if line else 0)
        if quantity < 1:
            new_quantity = quantity  # refused below with the limit message
        _check(cart=cart, line=line, quantity=new_quantity, variant=variant, configured=configured, confirmed=confirmed)
        if line is None:
            line = CartLine.objects.create(cart=cart, quantity=new_quantity, **target)
        else:
            line.quantity = new_quantity
            line.save(update_fields=["quantity"])
        cart.save(update_fields=["updated_at"])
    return line


def _own_line(cart: Cart, line_id: Any) -> CartLine:
    if not isinstance(line_id, int) or isinstance(line_id, bool):
        raise NotFound()
    line = (
        CartLine.objects.select_related("variant__product", "configured_sku__product")
        .filter(pk=line_id, cart=cart)
        .first()
    )
    if line is None:
        raise NotFound()
    return line


def set_quantity(*, cart: Cart, line_id: int, quantity: Any, confirmed: bool = False) -> CartLine:
    quantity = parse_quantity(quantity)
    with transaction.atomic():
        cart = _lock_open(cart)
        line = _own_line(cart, line_id)
        _check(
            cart=cart,
            line=line,
            quantity=quantity,
            variant=line.variant,
            configured=line.configured_sku,
            confirmed=confirmed,
        )
        line.quantity = quantity
        line.save(update_fields=["quantity"])
        cart.save(update_fields=["updated_at"])
    return line


def remove_line(*, cart: Cart, line_id: int) -> None:
    with transaction.atomic():
        cart = _lock_open(cart)
        _own_line(cart, line_id).delete()
        cart.save(update_fields=["updated_at"])


def merge_guest_cart(*, guest_key: str, user: Any) -> Cart | None:
    """At sign-in: the guest's open cart joins the account's (quantities add up, capped at the
    product's limit for all its lines together); the guest cart is then deleted."""
    if not guest_key or not getattr(user, "pk", None):
        return None
    with transaction.atomic():
        guest = (
            Cart.objects.select_for_update()
            .filter(user__isnull=True, guest_key=guest_key, status=Cart.Status.OPEN)
            .first()
        )
        if guest is None:
            return None
        account = Cart.objects.select_for_update().filter(user=user, status=Cart.Status.OPEN).first()
        if account is None:
            guest.user = user
            guest.guest_key = ""
            guest.save(update_fields=["user", "guest_key", "updated_at"])
            return guest
        lines = list(guest.lines.select_related("variant__product", "configured_sku__product"))
        products = [_product_of(line) for line in lines]
        limits = quantity_limits(products=products)
        held = _held_per_product(account)
        room = {p.pk: limits[p.pk] - held.get(p.pk, 0) for p in products}  # left per product
        for line, product in zip(lines, products, strict=True):
            target = (
                {"variant_id": line.variant_id} if line.variant_id else {"configured_sku_id": line.configured_sku_id}
            )
            added = min(line.quantity, room[product.pk])
            if added <= 0:
                continue  # the account's cart already holds the most of this product
            room[product.pk] -= added
            existing = CartLine.objects.filter(cart=account, **target).first()
            if existing is None:
                CartLine.objects.create(cart=account, quantity=added, **target)
            else:
                existing.quantity += added
                existing.save(update_fields=["quantity"])
        guest.delete()
        account.save(update_fields=["updated_at"])
    return account


def _held_per_product(cart: Cart) -> dict[int, int]:
    """Product id → how many of it the cart holds, all its lines together (one query)."""
    rows = (
        CartLine.objects.filter(cart=cart)
        .annotate(product_id=Coalesce("variant__product_id", "configured_sku__product_id"))
        .values("product_id")
        .annotate(n=Sum("quantity"))
    )
    return {row["product_id"]: int(row["n"]) for row in rows}


def _product_of(line: CartLine) -> Any:
    return line.variant.product if line.variant is not None else line.configured_sku.product  # type: ignore[union-attr]


_FREEZE_OPEN = """
UPDATE cart_cart SET status = %(ordered)s
WHERE status = %(open)s AND id = (
    SELECT id FROM cart_cart WHERE status = %(open)s AND {owner} ORDER BY id LIMIT 1
)
RETURNING id, user_id, guest_key, status, created_at, updated_at
"""


def freeze_open(*, owner: Owner) -> Cart | None:
    """``open_cart`` and ``freeze`` in one statement (checkout's hot path): the owner's open cart,
    now ordered and locked until the commit; None when the owner has no open cart (or a
    concurrent checkout froze it first)."""
    if owner.user is not None:
        condition, params = "user_id = %(user)s", {"user": owner.user.pk}
    else:
        condition, params = "user_id IS NULL AND guest_key = %(guest)s", {"guest": owner.session_key}
    params |= {"open": Cart.Status.OPEN.value, "ordered": Cart.Status.ORDERED.value}
    db = sql.default_connection()
    with db.cursor() as cursor:
        cursor.execute(_FREEZE_OPEN.format(owner=condition), params)
        row = cursor.fetchone()
    names = ["id", "user_id", "guest_key", "status", "created_at", "updated_at"]
    return Cart.from_db(db.alias, names, row) if row is not None else None


def freeze(*, cart: Cart) -> Cart:
    """Inside ``place_order``'s transaction: mark the cart ordered (no more changes).

    One conditional UPDATE: it takes the row lock (waiting for a concurrent change of the cart to
    commit) and re-checks that the cart is still open, so two checkouts cannot both freeze it."""
    frozen = Cart.objects.filter(pk=cart.pk, status=Cart.Status.OPEN).update(status=Cart.Status.ORDERED)
    if not frozen:
        raise Conflict(
            _("This cart has already been ordered and cannot be changed. Your next item starts a new cart."),
            code="cart_closed",
        )
    cart.status = Cart.Status.ORDERED
    return cart
