"""Checkout API: place the order for the request's cart (Idempotency-Key required)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema

from zizhu.cart import owners
from zizhu.cart import selectors as cart_selectors
from zizhu.cart import services as carts
from zizhu.cart.api import CartOut, MoneyOut, authenticate, cart_out
from zizhu.checkout import addresses, again, regions, services
from zizhu.core import idempotency
from zizhu.core.api_errors import ErrorOut
from zizhu.core.errors import NotFound
from zizhu.orders import access as order_access
from zizhu.orders import selectors as order_selectors
from zizhu.payments import access as payment_access

checkout_router = Router(tags=["checkout"])


class ContactIn(Schema):
    name: str = Field(..., max_length=200)
    phone: str = Field(..., max_length=40, description="a mainland China mobile number")
    email: str = Field("", max_length=300, description="required for guests (the receipt)")


class AddressIn(Schema):
    province: str = Field(..., max_length=60, examples=["上海市"])
    city: str = Field(..., max_length=60)
    district: str = Field("", max_length=60)
    line: str = Field(..., max_length=400)


class PlaceOrderIn(Schema):
    contact: ContactIn
    address: AddressIn
    delivery: str = Field("standard", description="standard, express or pickup")
    voucher: str = Field("", max_length=64, description="a voucher code (optional)")


class ParseAddressIn(Schema):
    text: str = Field(..., max_length=300, examples=["广东省深圳市南山区科技园路1号"])


class ParsedAddressOut(Schema):
    found: bool = Field(..., description="false when no province or city could be recognised")
    province: str
    city: str
    district: str
    line: str = Field(..., description="the rest: street, building, flat")
    adcode: str = Field(..., description="administrative division code of the district (or city)")
    longitude: str = Field(..., description="the district's (else city's) centre, decimal degrees; '' if unknown")
    latitude: str


class RegionsOut(Schema):
    level: str = Field(..., description="province, city or district")
    names: list[str]


class BuyAgainOut(Schema):
    added: int = Field(..., description="how many of the order's lines went into the cart")
    skipped: list[str] = Field(..., description="names of items no longer on sale or in stock")
    details: PlaceOrderIn = Field(..., description="the order's details, to send to POST /checkout/orders")
    cart: CartOut


class PaymentRefOut(Schema):
    number: str
    amount: MoneyOut
    status: str
    pay_url: str = Field(..., description="the pay page; programs use POST /api/v1/payments/{number}/confirm")


class PlacedOut(Schema):
    number: str
    total: MoneyOut
    discount: MoneyOut
    payment: PaymentRefOut


@checkout_router.post("/address/parse", response={200: ParsedAddressOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut})
def parse_address(request: HttpRequest, payload: ParseAddressIn):
    """Split a pasted full address into province, city, district and the detail line (cpca, offline),
    with the administrative code and an approximate point. Nothing is stored."""
    authenticate(request)
    parsed = addresses.parse(payload.text)
    return {"found": parsed.found, **asdict(parsed)}


@checkout_router.get("/regions", response={200: RegionsOut, 404: ErrorOut})
def list_regions(request: HttpRequest, province: str = "", city: str = ""):
    """The picker's names: provinces; with `province`, its cities; with both, the city's districts.
    An unknown province or city → 404."""
    if not province:
        return {"level": "province", "names": regions.province_names()}
    if regions.find_province(province[:30]) is None:
        raise NotFound()
    if not city:
        return {"level": "city", "names": regions.cities_of(regions.find_province(province[:30]).name)}
    found = regions.find_city(province[:30], city[:30])
    if found is None:
        raise NotFound()
    return {"level": "district", "names": regions.districts_of(province[:30], found.name)}


@checkout_router.post(
    "/again/{number}", response={200: BuyAgainOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def buy_again(request: HttpRequest, number: str):
    """Put the items of a past order (your own, or granted to this guest session) back into the cart
    at today's prices; the answer carries the order's details for `POST /checkout/orders`.
    Another customer's order → 404."""
    authenticate(request)
    order = order_selectors.get_order_for(
        number=number[:20], user=request.user, granted=order_access.granted_numbers(request)
    )
    if order is None:
        raise NotFound()
    cart = carts.open_cart(owner=owners.owner(request, create=True), create=True)
    assert cart is not None
    outcome = again.buy_again(order=order, cart=cart)
    quote = cart_selectors.cart_quote(cart=cart)
    owners.remember_count(request, cart, quote.item_count)
    details = outcome.details | {"voucher": ""}
    return {"added": outcome.added, "skipped": outcome.skipped, "details": details, "cart": cart_out(quote)}


@checkout_router.post(
    "/orders", response={201: PlacedOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
)
def place_order(request: HttpRequest, payload: PlaceOrderIn):
    """Place an order for the current cart. Prices, totals, discounts and fees sent by the client are
    ignored: the server prices the cart again. Needs `Idempotency-Key`: the same key and body → the
    same order (replayed); another body → 422; while the first runs → 409. Out of stock → 409."""
    authenticate(request)
    owner = owners.owner(request, create=False)

    def action() -> tuple[int, Any]:
        order = services.place_order(
            cart=None,
            cart_owner=owner,  # found and frozen in one statement
            customer=request.user,
            contact=services.Contact(**payload.contact.dict()),
            address=services.Address(**payload.address.dict()),
            delivery=payload.delivery,
            voucher=payload.voucher,
            joins_transaction=True,  # respond_atomic's transaction: all or nothing
        )
        return 201, {
            "number": order.number,
            "total": order.total_money.as_dict(),
            "discount": order.money("discount").as_dict(),
            "payment": {
                "number": order.payment_number,
                "amount": order.total_money.as_dict(),
                "status": "created",
                "pay_url": reverse("payments:pay", args=[order.payment_number]),
            },
        }

    # Claim, order and stored answer commit together: one transaction (core.idempotency).
    outcome, response = idempotency.respond_atomic(request, scope="checkout.orders", action=action)
    if outcome.status == 201 and not request.user.is_authenticated:
        order_access.grant(request, outcome.body["number"])
        payment_access.grant(request, outcome.body["payment"]["number"])
    return response
