"""Checkout: check the customer's details and place the order.

``place_order`` (DESIGN.md §4) runs in ONE transaction: freeze the cart (locked, then
``ordered``: no line can be added any more), re-price every line from the catalogue (prices and
totals sent by a client are never read), allocate stock with conditional UPDATEs, create the
local payment record (``payments.services.create_payment``, reference = order number), save
the order with a price snapshot and emit ``order.placed``. Only after the commit does anyone
talk to the payment provider (the pay page). Out of stock, a bad detail or a closed cart
roll everything back.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.accounts.logins import parse_mainland_mobile
from zizhu.cart import services as carts
from zizhu.cart.delivery import OPTIONS, get_option
from zizhu.cart.models import Cart
from zizhu.cart.pricing import PricedLine, quote
from zizhu.cart.selectors import checkout_lines
from zizhu.catalog.owners import Owner
from zizhu.checkout import addresses, discounts
from zizhu.checkout.models import SavedAddress
from zizhu.core import idempotency
from zizhu.core.errors import Conflict, InvalidInput, NotFound
from zizhu.core.ids import new_number
from zizhu.core.money import Money, MoneyError
from zizhu.inventory import services as inventory
from zizhu.orders import access as order_access
from zizhu.orders import services as orders
from zizhu.orders.models import Order, OrderLine
from zizhu.payments import services as payments

MAX = {"name": 60, "email": 254, "city": 30, "district": 30, "line": 200}


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str = ""


@dataclass(frozen=True)
class Address:
    province: str
    city: str
    district: str
    line: str
    # Filled by check_details from the names (zizhu.checkout.addresses), never taken from a client.
    adcode: str = ""
    longitude: str = ""
    latitude: str = ""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def check_details(*, contact: Contact, address: Address, delivery: Any, guest: bool) -> tuple[Contact, Address, str]:
    """Clean the details or raise InvalidInput naming every bad field (in words)."""
    errors: dict[str, list[str]] = {}

    def need(field: str, value: str, label: str) -> str:
        if not value:
            errors[field] = [_("Enter your %(what)s.") % {"what": label}]
        elif len(value) > MAX.get(field, 60):
            errors[field] = [_("This is too long (at most %(max)s characters).") % {"max": MAX.get(field, 60)}]
        return value

    name = need("name", _text(contact.name), _("name"))
    phone_raw = _text(contact.phone)
    phone = parse_mainland_mobile(phone_raw) if phone_raw else None
    if not phone:
        errors["phone"] = [_("Enter a mainland China mobile number, for example 138 0013 8000.")]
    email = _text(contact.email)
    if guest or email:
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        try:
            validate_email(email)
            if len(email) > MAX["email"]:
                raise ValidationError("too long")
        except ValidationError:
            errors["email"] = [_("Enter an e-mail address for the receipt, for example name@example.com.")]
    city = need("city", _text(address.city), _("city"))
    district = _text(address.district)
    if len(district) > MAX["district"]:
        errors["district"] = [_("This is too long (at most %(max)s characters).") % {"max": MAX["district"]}]
    place, place_errors = addresses.resolve(province=_text(address.province), city=city, district=district)
    for field, messages in place_errors.items():
        errors.setdefault(field, messages)
    line = need("line", _text(address.line), _("street address"))
    if not isinstance(delivery, str) or delivery not in OPTIONS:
        errors["delivery"] = [_("Choose how the order should reach you.")]
    if errors:
        raise InvalidInput(_("Some details are missing or not valid. Please check the marked fields."), fields=errors)
    return (
        Contact(name, phone or "", email),
        Address(place.province, place.city, place.district, line, place.adcode, place.longitude, place.latitude),
        str(delivery),
    )


def place_order(
    *,
    cart: Cart | None,
    customer: Any,
    contact: Contact,
    address: Address,
    delivery: str,
    idempotency_key: str | None = None,
    idempotency_owner: str = "",
    voucher: str = "",
    joins_transaction: bool = False,
    cart_owner: Owner | None = None,
    reviewed_total: Decimal | None = None,
) -> Order:
    """Place the order for ``cart`` (or for ``cart_owner``'s open cart, found and frozen in one
    statement: the API's way). The same ``idempotency_key`` (per customer, or per guest
    ``idempotency_owner`` such as the guest key) returns the same order, even once the cart is
    gone; with other details → 422 ``idempotency_key_reused``.

    ``joins_transaction=True``: the caller's open transaction is rolled back as a whole on any
    error (the API's idempotency transaction), so no savepoint is taken (two round trips less).

    ``reviewed_total``: the total the customer confirmed (the review page). When the order would
    cost anything else (the cart changed in another tab, a promotion ended, a price changed), it is
    refused with 409 ``total_changed`` rather than charged. The API has no review step: there the
    server's own total is charged and whatever the client sends is ignored."""
    signed_in = customer is not None and getattr(customer, "is_authenticated", False)
    buyer = customer if signed_in else None
    contact, address, delivery = check_details(contact=contact, address=address, delivery=delivery, guest=not signed_in)
    voucher = voucher.strip().upper() if isinstance(voucher, str) else ""
    details: dict[str, Any] = {
        "cart": cart,
        "cart_owner": cart_owner,
        "customer": buyer,
        "contact": contact,
        "address": address,
        "delivery": delivery,
        "reviewed_total": reviewed_total,
    }
    if idempotency_key is None:
        return _place(**details, voucher=voucher, savepoint=not joins_transaction)
    if signed_in:
        owner = f"user:{customer.pk}"
    elif idempotency_owner:
        owner = f"guest:{idempotency_owner}"
    elif cart_owner is not None:
        owner = f"guest:{cart_owner.session_key}"
    elif cart is not None:
        owner = f"cart:{cart.pk}"
    else:
        raise InvalidInput(_("Your cart is empty."), code="cart_empty")
    fingerprint = hashlib.sha256(
        json.dumps([asdict(contact), asdict(address), delivery, voucher], sort_keys=True).encode()
    ).hexdigest()

    placed: list[Order] = []

    def action() -> tuple[int, Any]:
        placed[:] = [_place(**details, voucher=voucher, savepoint=False)]  # inside execute_atomic's transaction
        return 201, {"number": placed[0].number}

    # Claim, order and stored outcome: one transaction, one commit (core.idempotency).
    outcome = idempotency.execute_atomic(
        scope="checkout.place_order",
        owner=owner,
        key=idempotency.validate_key(idempotency_key, required=True) or "",
        request_fingerprint=fingerprint,
        action=action,
    )
    if not outcome.replayed and placed:
        return placed[0]
    order = Order.objects.filter(number=outcome.body.get("number", "")).first()
    if order is None:
        raise NotFound()
    return order


def _place(
    *,
    cart: Cart | None,
    cart_owner: Owner | None,
    customer: Any,
    contact: Contact,
    address: Address,
    delivery: str,
    voucher: str = "",
    savepoint: bool = True,
    reviewed_total: Decimal | None = None,
) -> Order:
    if cart is None and cart_owner is None:
        raise InvalidInput(_("Your cart is empty."), code="cart_empty")
    # Everything below runs inside this block, and any error leaves it: the services called
    # need no savepoints of their own (own_savepoint=False).
    with transaction.atomic(savepoint=savepoint):
        cart = carts.freeze(cart=cart) if cart is not None else _freeze_open(cart_owner)
        lines = checkout_lines(cart=cart)
        if not lines:
            raise InvalidInput(_("Your cart is empty."), code="cart_empty")
        _check_lines(lines)
        option = get_option(delivery)
        assert option is not None
        base = quote(lines, delivery=delivery)
        chosen = (
            discounts.find_voucher(voucher, subtotal=base.subtotal, customer=customer, email=contact.email)
            if voucher
            else None
        )
        priced = discounts.price(base, voucher=chosen)
        if reviewed_total is not None and priced.total.amount != reviewed_total:
            raise Conflict(
                _(
                    "The total is now %(now)s, not %(shown)s as when you reviewed the order: a price, a promotion "
                    "or your cart has changed. Please check the order and confirm it again."
                )
                % {"now": priced.total, "shown": _shown(reviewed_total, priced.total.currency)},
                code="total_changed",
            )
        if priced.total.amount <= 0:
            raise Conflict(_("This order has nothing to pay; please contact us."), code="zero_total")
        number = new_number("order")
        # Written with the order below, in one statement; a colliding random number fails the
        # transaction, which execute_atomic runs again whole.
        payment, payment_rows = payments.new_payment(
            reference=number, amount=priced.total, customer=customer, return_url=order_return_url(number, customer)
        )
        order = Order(
            number=number,
            customer=customer,
            email=contact.email,
            contact_name=contact.name,
            contact_phone=contact.phone,
            province=address.province,
            city=address.city,
            district=address.district,
            address_line=address.line,
            adcode=address.adcode,
            longitude=address.longitude or None,
            latitude=address.latitude or None,
            delivery_method=option.code,
            delivery_fee=priced.delivery_fee.amount,
            estimated_date=base.estimated_date,
            subtotal=priced.subtotal.amount,
            discount=priced.discount.amount,
            total=priced.total.amount,
            currency=priced.total.currency,
            payment_number=payment.number,
        )
        orders.record_placed(
            order=order, lines=[_snapshot(line) for line in lines], together_with=[(payment, payment_rows)]
        )
        if chosen is not None:
            discounts.redeem(voucher=chosen, order_number=number, customer=customer, email=contact.email)
        if customer is not None:
            _remember_address(customer, contact, address)
        # Last, so the hot stock rows stay locked for the shortest time before the commit: under an
        # Idempotency-Key even after the stored answer (idempotency.at_end).
        wanted = [(line.item_id, line.quantity) for line in lines if line.kind == "variant"]
        idempotency.at_end(lambda: inventory.allocate(lines=wanted, order_number=number, own_savepoint=False))
    return order


def _freeze_open(owner: Owner | None) -> Cart:
    cart = carts.freeze_open(owner=owner) if owner is not None else None
    if cart is None:
        raise InvalidInput(_("Your cart is empty."), code="cart_empty")
    return cart


def order_return_url(number: str, customer: Any) -> str:
    """Where the payment result page leads: the order page; a guest's carries its signed link, so it
    opens even in another browser (e.g. paying on the phone)."""
    return reverse("orders:detail", args=[number]) if customer is not None else order_access.order_link(number)


def _check_lines(lines: list[PricedLine]) -> None:
    errors = _over_product_limits(lines)
    sold_out = []
    for line in lines:
        if line.available is not None and line.available <= 0:
            errors.append(_("%(name)s is out of stock.") % {"name": line.name})
            sold_out.append(line.item_id)
        if not line.product.is_active:
            errors.append(_("%(name)s is no longer on sale.") % {"name": line.name})
    message = _("Please change your cart: %(problems)s") % {"problems": " ".join(errors)}
    if errors and len(errors) == len(sold_out):
        # Only stock is missing: the same answer as when the allocation finds it gone (which of the
        # two sees it first depends on timing: 50 buyers racing for the last units).
        raise inventory.OutOfStock(sold_out, message=message)
    if errors:
        raise Conflict(message, code="cart_problem")


def _shown(amount: Decimal, currency: str) -> str:
    try:
        return str(Money.of(amount, currency))
    except MoneyError:  # a tampered form: say the number as it came
        return str(amount)


def _over_product_limits(lines: list[PricedLine]) -> list[str]:
    """A product's limit holds for all its lines together (sizes, colours): one message per product over it."""
    held: Counter[int] = Counter()
    for line in lines:
        held[line.product.pk] += line.quantity
    errors = []
    for line in lines:
        if held.pop(line.product.pk, 0) > line.max_quantity:
            names = {"name": line.product.name, "limit": line.max_quantity}
            errors.append(_("%(name)s: at most %(limit)s per order.") % names)
    return errors


def _snapshot(line: PricedLine) -> OrderLine:
    return OrderLine(
        product=line.product,
        variant_id=line.item_id if line.kind == "variant" else None,
        configured_sku_id=line.item_id if line.kind == "configured" else None,
        sku=line.sku,
        name=line.name[:200],
        options=line.options,
        unit_price=line.unit_price.amount,
        quantity=line.quantity,
        line_total=line.total.amount,
    )


def _remember_address(customer: Any, contact: Contact, address: Address) -> None:
    mine = SavedAddress.objects.filter(user=customer)
    for saved in mine[:20]:
        same = (saved.name, saved.phone, saved.province, saved.city, saved.district, saved.line) == (
            contact.name, contact.phone, address.province, address.city, address.district, address.line,
        )  # fmt: skip
        if same:
            SavedAddress.objects.filter(pk=saved.pk).update(last_used_at=timezone.now())
            return
    SavedAddress.objects.create(
        user=customer,
        name=contact.name,
        phone=contact.phone,
        province=address.province,
        city=address.city,
        district=address.district,
        line=address.line,
        adcode=address.adcode,
        longitude=address.longitude or None,
        latitude=address.latitude or None,
    )


def delete_saved_address(*, user: Any, address_id: int) -> None:
    deleted, _details = SavedAddress.objects.filter(user=user, pk=address_id).delete()
    if not deleted:
        raise NotFound()
