"""Order services: every status change is one function here.

Each transition locks the order row, refuses to move backwards, writes an ``OrderEvent`` (the
timeline) and emits an outbox event (``order.placed``, ``order.paid``, ``order.cancelled``,
``order.fulfilling``, ``order.shipped``, ``order.delivered``, ``order.completed``,
``order.refunded``) in the same transaction. Calls to the payment provider (cancel an unpaid
payment, refund a paid one) run only after the commit (``transaction.on_commit``), never while
rows are locked.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.accounts import roles
from zizhu.core import events, sql
from zizhu.core.errors import Conflict, NotFound, PermissionDenied
from zizhu.core.models import OutboxEvent
from zizhu.core.money import Money
from zizhu.inventory import services as inventory
from zizhu.orders.models import Order, OrderEvent, OrderLine
from zizhu.payments import selectors as payment_selectors
from zizhu.payments import services as payments
from zizhu.payments.risk import selectors as payment_risk

logger = logging.getLogger(__name__)
S = Order.Status
RANK: dict[str, int] = {S.PENDING_PAYMENT: 0, S.PAID: 1, S.FULFILLING: 2, S.SHIPPED: 3, S.DELIVERED: 4, S.COMPLETED: 5}
CANCELLABLE_BY_STAFF = (S.PENDING_PAYMENT, S.PAID, S.FULFILLING)


def unpaid_timeout() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "ZIZHU_ORDER_UNPAID_MINUTES", 30)))


def _actor(user: Any) -> Any:
    return user if getattr(user, "pk", None) and getattr(user, "is_authenticated", False) else None


def _event(order: Order, kind: str, note: str = "", actor: Any = None) -> None:
    sql.insert(OrderEvent(order=order, status=order.status, kind=kind, note=str(note)[:300], actor=_actor(actor)))


def _payload(order: Order, **extra: Any) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "total": f"{order.total:.2f}",
        "currency": order.currency,
        "customer_id": order.customer_id,
        **extra,
    }


def record_placed(*, order: Order, lines: Iterable[OrderLine], together_with: Sequence[sql.Family] = ()) -> Order:
    """Inside ``checkout.place_order``'s transaction: save the order, its lines and the first event;
    ``together_with``, other new rows of the same checkout (its payment), in the same statement."""
    order.status = S.PENDING_PAYMENT
    lines = list(lines)
    for line in lines:
        line.order = order
    placed = OrderEvent(order=order, status=order.status, kind="placed", actor=_actor(order.customer))
    announced = OutboxEvent(topic="order.placed", payload=_payload(order, payment=order.payment_number))
    # The hot path of a flash sale: the order, its lines, its first event and the outbox row (and the
    # payment) in one statement on PostgreSQL (core/sql.py).
    sql.insert_families([(order, [*lines, placed, announced]), *together_with])
    events.emitted(announced)
    return order


def _locked(number: str) -> Order:
    order = Order.objects.select_for_update().filter(number=number).first()
    if order is None:
        raise NotFound()
    return order


def _move(order: Order, status: str, kind: str, *, note: str = "", actor: Any = None, **fields: Any) -> None:
    order.status = status
    for name, value in fields.items():
        setattr(order, name, value)
    order.save(update_fields=["status", *fields])
    _event(order, kind, note, actor)
    events.emit(f"order.{kind}", _payload(order))


def mark_paid(*, number: str, payment_number: str, amount: str, currency: str) -> str:
    """``payment.succeeded`` arrived (any number of times, in any order). Returns what happened."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(number=number).first()
        if order is None:
            return "unknown_order"
        if order.status == S.CANCELLED:
            # Paid after the order expired or was cancelled: the money goes back.
            _event(
                order,
                "paid_after_cancel",
                _("Payment %(payment)s arrived after cancellation: refunding.") % {"payment": payment_number},
            )
            transaction.on_commit(lambda: _refund_all(order.number, reason="paid after cancellation"))
            return "refund_late_payment"
        if RANK.get(order.status, 99) >= RANK[S.PAID]:
            if payment_number == order.payment_number:
                return "duplicate"
            # A second payment succeeded for an order already paid (two tabs, a retry): it goes back.
            _event(
                order,
                "paid_twice",
                _("Payment %(payment)s arrived for an order already paid: refunding it.") % {"payment": payment_number},
            )
            transaction.on_commit(lambda: _refund_payment(number, payment_number, reason="order already paid"))
            return "refund_second_payment"
        if Money.of(amount, currency) != order.total_money:
            _event(order, "payment_mismatch", f"{payment_number}: {amount} {currency}")
            return "amount_mismatch"
        _move(order, S.PAID, "paid", note=payment_number, paid_at=timezone.now(), payment_number=payment_number)
    return "paid"


def can_customer_cancel(order: Order) -> bool:
    """Customers cancel on their own until the parcel leaves: before paying, and after paying
    (within the first 10 minutes and at any later time) as long as it has not shipped."""
    return order.status in CANCELLABLE_BY_STAFF


def cancel_order(*, order: Order, actor: Any = None, by_customer: bool = True, reason: str = "") -> Order:
    """Cancel an order: stock released in the same transaction; after the commit the open payment
    is cancelled, or a paid one refunded in full. Customers and staff: any time before shipping."""
    if not by_customer and actor is not None:
        roles.require_permission(actor, "orders.cancel_order")
    with transaction.atomic():
        locked = _locked(order.number)
        if locked.status == S.CANCELLED:
            return locked
        if by_customer and not can_customer_cancel(locked):
            raise Conflict(
                _("This order can no longer be cancelled here. Please ask for a return or contact us."),
                code="cancel_not_allowed",
            )
        if locked.status not in CANCELLABLE_BY_STAFF:
            raise Conflict(
                _("A shipped order cannot be cancelled; ask for a return instead."), code="cancel_not_allowed"
            )
        was_paid = locked.status != S.PENDING_PAYMENT
        inventory.release(order_number=locked.number, staff=None if by_customer else actor)
        _move(locked, S.CANCELLED, "cancelled", note=reason, actor=actor, cancelled_at=timezone.now())
        number = locked.number
        if was_paid:
            transaction.on_commit(lambda: _refund_all(number, reason=reason or "order cancelled"))
        else:
            transaction.on_commit(lambda: _cancel_open_payments(number))
    return locked


def _cancel_open_payments(number: str) -> None:
    for payment in payment_selectors.payments_for_reference(reference=number):
        try:
            payment = payments.cancel_payment(payment=payment)
        except Exception:  # the provider being down must not undo the cancellation
            logger.exception("Could not cancel payment %s of order %s", payment.number, number)
            continue
        if payment.is_paid:  # paid meanwhile: its payment.succeeded handler refunds it
            logger.info("Payment %s of cancelled order %s was paid meanwhile", payment.number, number)


def _refund_all(number: str, *, reason: str) -> None:
    for payment in payment_selectors.payments_for_reference(reference=number):
        _refund_in_full(payment, number, reason=reason)


def _refund_payment(number: str, payment_number: str, *, reason: str) -> None:
    for payment in payment_selectors.payments_for_reference(reference=number).filter(number=payment_number):
        _refund_in_full(payment, number, reason=reason)


def _refund_in_full(payment: Any, number: str, *, reason: str) -> None:
    if not payment.is_paid or not payment.refundable.amount:
        return
    try:
        payments.refund_payment(payment=payment, amount=payment.refundable, reason=reason[:200])
    except Exception:
        logger.exception("Refund of payment %s for order %s failed", payment.number, number)


def expire_unpaid(*, now: datetime | None = None, limit: int = 200) -> int:
    """Periodic job: orders still unpaid after ``ZIZHU_ORDER_UNPAID_MINUTES`` are cancelled and
    their stock released. Returns how many were cancelled."""
    cutoff = (now or timezone.now()) - unpaid_timeout()
    numbers = list(
        Order.objects.filter(status=S.PENDING_PAYMENT, placed_at__lt=cutoff)
        .order_by("placed_at")
        .values_list("number", flat=True)[:limit]
    )
    # A payment authorised and held for a risk review is not "unpaid": staff decide it.
    held = payment_risk.references_under_review(references=numbers)
    cancelled = 0
    for number in numbers:
        if number in held:
            continue
        with transaction.atomic():
            order = _locked(number)
            if order.status != S.PENDING_PAYMENT:
                continue  # paid at the last moment
            cancel_order(order=order, by_customer=False, reason=_("Not paid in time"))
            cancelled += 1
    return cancelled


def _forward(number: str, status: str, kind: str, *, actor: Any = None, **fields: Any) -> Order:
    if actor is not None:  # staff (the back office); None: the shop itself (a carrier's event, a job)
        roles.require_permission(actor, "orders.fulfil_order")
    with transaction.atomic():
        order = _locked(number)
        if order.status == status:
            return order
        if order.status == S.PENDING_PAYMENT:
            raise Conflict(_("This order is not paid yet."), code="status_not_allowed")
        if order.status not in RANK or RANK[order.status] >= RANK[status]:
            raise Conflict(_("The order cannot move to this status now."), code="status_not_allowed")
        if RANK[status] - RANK[order.status] != 1:
            raise Conflict(_("The order cannot skip a step."), code="status_not_allowed")
        if status == S.SHIPPED:
            inventory.ship(order_number=number, staff=actor)
        _move(order, status, kind, actor=actor, **fields)
    return order


def start_fulfilment(*, order: Order, actor: Any = None) -> Order:
    return _forward(order.number, S.FULFILLING, "fulfilling", actor=actor)


def mark_shipped(*, order: Order, actor: Any = None) -> Order:
    return _forward(order.number, S.SHIPPED, "shipped", actor=actor, shipped_at=timezone.now())


def mark_delivered(*, order: Order, actor: Any = None) -> Order:
    return _forward(order.number, S.DELIVERED, "delivered", actor=actor)


def complete(*, order: Order, actor: Any = None) -> Order:
    return _forward(order.number, S.COMPLETED, "completed", actor=actor)


def record_refund(*, number: str, refund: str, amount: str, fully_refunded: bool, payment_number: str = "") -> str:
    """``payment.refunded``: the timeline shows it. All the money back → the order is refunded, and
    goods that have not left the warehouse go back on sale. Part of it (a goodwill gesture, a missing
    item) → the order goes on where it was: it can still be fulfilled, shipped, or cancelled before
    shipping (the rest refunded then). A refund of a second payment, not the one that paid the order
    (``mark_paid``'s "paid_twice"), changes nothing else. Repeated events for a refund are ignored."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(number=number).first()
        if order is None:
            return "unknown_order"
        if OrderEvent.objects.filter(order=order, kind="refunded", note__startswith=refund).exists():
            return "duplicate"
        note = f"{refund} {amount} {order.currency}"
        if order.status == S.CANCELLED or order.status == S.REFUNDED:
            _event(order, "refunded", note)
            events.emit("order.refunded", _payload(order, refund=refund, amount=amount))
            return "noted"
        if payment_number and order.payment_number and payment_number != order.payment_number:
            _event(order, "refunded", f"{note} ({payment_number})")
            return "noted"
        if not fully_refunded:
            _event(order, "refunded", note)
            events.emit("order.refunded", _payload(order, refund=refund, amount=amount))
            return "partly_refunded"
        if order.status in (S.PAID, S.FULFILLING):  # nothing shipped: what it held goes back on sale
            inventory.release(order_number=order.number)
        _move(order, S.REFUNDED, "refunded", note=note)
    return "refunded"


def ensure_owner(order: Order, user: Any) -> None:
    if order.customer_id is not None and getattr(user, "pk", None) != order.customer_id:
        raise PermissionDenied()
