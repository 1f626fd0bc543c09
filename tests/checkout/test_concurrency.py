"""Concurrency and faults on PostgreSQL with real parallel connections (threads, one connection each)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.ordering import contact_address, guest_cart, run_in_threads
from zizhu.cart.models import Cart
from zizhu.checkout import services
from zizhu.core.models import OutboxEvent
from zizhu.inventory import selectors as stock
from zizhu.inventory.models import Stock, StockMovement
from zizhu.inventory.services import OutOfStock
from zizhu.orders.models import Order, OrderLine
from zizhu.payments.models import Payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_buyers_for_the_last_ten_units(tee_m):
    carts = [guest_cart((tee_m, 1)) for _ in range(50)]
    contact, address = contact_address()

    def buy(index: int) -> str:
        try:
            services.place_order(
                cart=Cart.objects.get(pk=carts[index].pk),
                customer=None,
                contact=contact,
                address=address,
                delivery="standard",
            )
        except OutOfStock:
            return "sold out"
        return "ordered"

    results = run_in_threads(50, buy)
    assert results.count("ordered") == 10 and results.count("sold out") == 40, results
    assert Order.objects.count() == 10 and Payment.objects.count() == 10
    assert OrderLine.objects.count() == 10
    totals = stock.totals(variant_id=tee_m.pk)
    assert totals["available"] == 0 and totals["allocated"] == 10 and totals["on_hand"] == 10
    sold = totals["shipped"]
    assert sold + totals["allocated"] + totals["available"] == 10  # initial stock
    assert not Stock.objects.filter(allocated__gt=models_f("on_hand")).exists()
    tee_m.refresh_from_db()
    assert tee_m.stock == 0
    assert Cart.objects.filter(status="ordered").count() == 10 and Cart.objects.filter(status="open").count() == 40
    assert OutboxEvent.objects.filter(topic="order.placed").count() == 10


def models_f(name: str):
    from django.db.models import F

    return F(name)


def test_connection_dropped_in_the_middle_leaves_no_half_order(tee_m, monkeypatch):
    cart = guest_cart((tee_m, 3))
    contact, address = contact_address()
    from zizhu.orders import services as orders

    real = orders.record_placed

    def drop_connection_then_continue(**kwargs):
        real(**kwargs)  # the order row is written inside the transaction…
        connection.connection.close()  # …then the database connection dies

    monkeypatch.setattr(orders, "record_placed", drop_connection_then_continue)
    with pytest.raises(Exception) as caught:
        services.place_order(cart=cart, customer=None, contact=contact, address=address, delivery="standard")
    assert "closed" in str(caught.value).lower() or "connection" in str(caught.value).lower()
    connection.close()  # Django reconnects on the next query
    assert not Order.objects.exists() and not OrderLine.objects.exists() and not Payment.objects.exists()
    assert not OutboxEvent.objects.filter(topic="order.placed").exists()
    assert stock.totals(variant_id=tee_m.pk) == {"on_hand": 10, "allocated": 0, "available": 10, "shipped": 0}
    assert not StockMovement.objects.filter(reason="allocated").exists()
    assert Cart.objects.get(pk=cart.pk).status == "open"
    monkeypatch.setattr(orders, "record_placed", real)
    order = services.place_order(
        cart=Cart.objects.get(pk=cart.pk), customer=None, contact=contact, address=address, delivery="standard"
    )
    assert order.status == "pending_payment" and stock.totals(variant_id=tee_m.pk)["allocated"] == 3
