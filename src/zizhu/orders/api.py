"""Orders API: the customer's orders (or those granted to a guest session) and self-service cancel."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from zizhu.cart.api import MoneyOut, authenticate
from zizhu.core.api_errors import ErrorOut
from zizhu.core.errors import NotFound
from zizhu.orders import access, selectors, services
from zizhu.orders.models import Order

orders_router = Router(tags=["orders"])


class OrderLineOut(Schema):
    sku: str
    name: str
    options: dict[str, str]
    quantity: int
    unit_price: MoneyOut
    total: MoneyOut


class OrderEventOut(Schema):
    status: str
    kind: str
    at: datetime


class OrderSummaryOut(Schema):
    number: str
    status: str
    total: MoneyOut
    placed_at: datetime


class OrderOut(OrderSummaryOut):
    subtotal: MoneyOut
    delivery_fee: MoneyOut
    delivery: str
    estimated_date: date
    payment: str = Field(..., description="the current payment's number (GET /api/v1/payments/{number})")
    can_cancel: bool
    lines: list[OrderLineOut]
    timeline: list[OrderEventOut]


class OrderListOut(Schema):
    items: list[OrderSummaryOut]
    total: int


def money(amount: Any, currency: str) -> dict[str, str]:
    return {"amount": f"{amount:.2f}", "currency": currency}


def summary_out(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "total": money(order.total, order.currency),
        "placed_at": order.placed_at,
    }


def order_out(order: Order) -> dict[str, Any]:
    return {
        **summary_out(order),
        "subtotal": money(order.subtotal, order.currency),
        "delivery_fee": money(order.delivery_fee, order.currency),
        "delivery": order.delivery_method,
        "estimated_date": order.estimated_date,
        "payment": order.payment_number,
        "can_cancel": services.can_customer_cancel(order),
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "options": line.options,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price, order.currency),
                "total": money(line.line_total, order.currency),
            }
            for line in order.lines.all()
        ],
        "timeline": [{"status": e.status, "kind": e.kind, "at": e.created_at} for e in order.events.all()],
    }


def _order(request: HttpRequest, number: str) -> Order:
    authenticate(request)
    order = selectors.get_order_for(number=number[:20], user=request.user, granted=access.granted_numbers(request))
    if order is None:
        raise NotFound()
    return order


@orders_router.get("", response={200: OrderListOut, 401: ErrorOut})
def list_orders(request: HttpRequest, page: int = 1, page_size: int = 20):
    """The signed-in customer's orders, newest first (a guest session: the orders it placed)."""
    authenticate(request)
    page = max(1, min(page, 10_000))
    page_size = max(1, min(page_size, 100))
    if request.user.is_authenticated:
        query = selectors.orders_of(user=request.user)
    else:
        query = Order.objects.filter(customer__isnull=True, number__in=access.granted_numbers(request))
    start = (page - 1) * page_size
    return {"items": [summary_out(o) for o in query[start : start + page_size]], "total": query.count()}


@orders_router.get("/{number}", response={200: OrderOut, 401: ErrorOut, 404: ErrorOut})
def get_order(request: HttpRequest, number: str):
    """One order with its lines and timeline. Another customer's → 404."""
    return order_out(_order(request, number))


@orders_router.post(
    "/{number}/cancel", response={200: OrderOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def cancel(request: HttpRequest, number: str):
    """Cancel any time before shipping (before or after paying): the stock is
    released and the payment cancelled or refunded in full. Later → 409 `cancel_not_allowed`."""
    order = _order(request, number)
    services.cancel_order(order=order, actor=request.user, by_customer=True)
    return order_out(_order(request, number))
