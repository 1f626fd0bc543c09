"""Cart API: the cart of the signed-in customer (session or bearer token) or of the guest session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from zizhu.accounts.auth import bearer_auth, require_csrf
from zizhu.cart import owners, selectors, services
from zizhu.cart.models import Cart
from zizhu.cart.pricing import Quote
from zizhu.core.api_errors import ErrorOut
from zizhu.core.errors import NotFound

cart_router = Router(tags=["cart"])


class MoneyOut(Schema):
    amount: str = Field(..., examples=["79.00"])
    currency: str = Field(..., examples=["CNY"])


class LineOut(Schema):
    id: int
    kind: str = Field(..., description="variant or configured (built to order)")
    sku: str
    product: str = Field(..., description="the product's slug")
    name: str
    quantity: int
    max_quantity: int
    unit_price: MoneyOut
    total: MoneyOut
    stock_status: str = Field(..., description="in_stock, low, not_enough, out_of_stock, made_to_order")
    available: int | None


class DeliveryOut(Schema):
    code: str
    name: str
    fee: MoneyOut
    estimated_date: str


class CartOut(Schema):
    lines: list[LineOut]
    item_count: int
    subtotal: MoneyOut
    delivery: DeliveryOut
    total: MoneyOut
    orderable: bool


class AddLineIn(Schema):
    sku: str = Field(..., max_length=64, description="a variant's SKU or a configured SKU")
    # Any JSON value is accepted here and checked by the service, so 1.5, "1e3", "", null or a
    # list get the same translated 422 as 0 or -1.
    quantity: Any = Field(..., description="a whole number from 1 to the product's limit")
    confirm_unusual_quantity: bool = Field(
        False,
        description="true once the customer confirmed an unusual quantity (over 20, or 5× their usual)",
    )
    confirm: bool = Field(False, description="the same as confirm_unusual_quantity (older clients)")


class ChangeLineIn(Schema):
    quantity: Any = Field(..., description="a whole number from 1 to the product's limit")
    confirm_unusual_quantity: bool = False
    confirm: bool = Field(False, description="the same as confirm_unusual_quantity (older clients)")


def cart_out(quote: Quote) -> dict[str, Any]:
    return {
        "lines": [
            {
                "id": line.id,
                "kind": line.kind,
                "sku": line.sku,
                "product": line.product.slug,
                "name": line.name,
                "quantity": line.quantity,
                "max_quantity": line.max_quantity,
                "unit_price": line.unit_price.as_dict(),
                "total": line.total.as_dict(),
                "stock_status": line.stock_status,
                "available": line.available,
            }
            for line in quote.lines
        ],
        "item_count": quote.item_count,
        "subtotal": quote.subtotal.as_dict(),
        "delivery": {
            "code": quote.delivery.code,
            "name": str(quote.delivery.label),
            "fee": quote.delivery_fee.as_dict(),
            "estimated_date": quote.estimated_date.isoformat(),
        },
        "total": quote.total.as_dict(),
        "orderable": quote.orderable,
    }


def json_quantity(raw: Any) -> Any:
    """JSON clients send a number: a string such as "2" is refused like any other bad value."""
    return None if isinstance(raw, str) else raw


def authenticate(request: HttpRequest) -> None:
    """A bearer token when sent (programs); otherwise the browser session with its CSRF token."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        if bearer_auth(request) is None:
            from ninja.errors import AuthenticationError

            raise AuthenticationError()
        return
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        require_csrf(request)


def request_cart(request: HttpRequest, *, create: bool) -> Cart | None:
    authenticate(request)
    owner = owners.owner(request, create=create)
    return services.open_cart(owner=owner, create=create) if owner is not None else None


def respond(request: HttpRequest, cart: Cart | None, status: int = 200) -> Status:
    quote = selectors.cart_quote(cart=cart)
    if cart is not None:
        owners.remember_count(request, cart, quote.item_count)
    return Status(status, cart_out(quote))


@cart_router.get("", response={200: CartOut, 401: ErrorOut})
def get_cart(request: HttpRequest):
    """The current cart, priced from the catalogue now, with stock status and the total including
    standard delivery. Guests: the browser session's cart."""
    return respond(request, request_cart(request, create=False))


@cart_router.post("/lines", response={201: CartOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def add_line(request: HttpRequest, payload: AddLineIn):
    """Add an item. An unusual quantity (over 20 of one item, or over 5× the most this customer
    ordered of it or its category before) answers 409 `quantity_confirmation_required` until sent
    again with `"confirm_unusual_quantity": true`. Prices sent by the client are ignored."""
    cart = request_cart(request, create=True)
    assert cart is not None
    confirmed = payload.confirm_unusual_quantity or payload.confirm
    services.add_item(cart=cart, sku=payload.sku, quantity=json_quantity(payload.quantity), confirmed=confirmed)
    return respond(request, cart, 201)


@cart_router.patch(
    "/lines/{line_id}",
    response={200: CartOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def change_line(request: HttpRequest, line_id: int, payload: ChangeLineIn):
    """Change a line's quantity (an unusual one needs `confirm_unusual_quantity`, as when adding).
    Another customer's line → 404."""
    cart = request_cart(request, create=False)
    if cart is None:
        raise NotFound()
    services.set_quantity(
        cart=cart,
        line_id=line_id,
        quantity=json_quantity(payload.quantity),
        confirmed=payload.confirm_unusual_quantity or payload.confirm,
    )
    return respond(request, cart)


@cart_router.delete(
    "/lines/{line_id}", response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def delete_line(request: HttpRequest, line_id: int):
    """Remove a line. Another customer's line → 404."""
    cart = request_cart(request, create=False)
    if cart is None:
        raise NotFound()
    services.remove_line(cart=cart, line_id=line_id)
    owners.remember_count(request, cart)
    return HttpResponse(status=204)
