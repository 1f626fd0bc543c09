"""core.sql: the prebuilt INSERTs of the checkout path write exactly what the ORM would."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from zizhu.accounts.models import User
from zizhu.core import sql
from zizhu.core.models import OutboxEvent
from zizhu.orders.models import Order

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_insert_sets_the_key_and_stores_defaults_and_json():
    event = sql.insert(OutboxEvent(topic="test.sql", payload={"number": "O1", "items": [1, 2]}))
    assert event.pk is not None and not event._state.adding
    stored = OutboxEvent.objects.get(pk=event.pk)
    assert (stored.topic, stored.payload, stored.status, stored.attempts) == (
        "test.sql",
        {"number": "O1", "items": [1, 2]},
        "pending",
        0,
    )
    assert stored.created_at == event.created_at


def test_insert_encrypts_and_indexes_like_the_orm():
    user = sql.insert(User(display_name="sql-user", phone="+8613800138000"))
    raw = connection.cursor()
    raw.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
    assert "13800138000" not in str(raw.fetchone()[0])  # encrypted at rest
    assert User.objects.get(phone="+8613800138000").pk == user.pk  # found through the blind index


def test_insert_many_keeps_the_order_of_the_keys():
    events = sql.insert_many([OutboxEvent(topic=f"test.sql.{i}") for i in range(5)])
    keys = [e.pk for e in events]
    assert keys == sorted(keys) and len(set(keys)) == 5
    assert [OutboxEvent.objects.get(pk=k).topic for k in keys] == [f"test.sql.{i}" for i in range(5)]


def test_insert_many_refuses_mixed_models_and_writes_nothing():
    with pytest.raises(TypeError):
        sql.insert_many([OutboxEvent(topic="a"), Order(number="O1", total=Decimal("1"))])
    assert not OutboxEvent.objects.filter(topic="a").exists()


def test_insert_family_writes_the_parent_and_its_rows_and_links_them():
    from zizhu.orders.models import OrderEvent, OrderLine

    order = Order(number="O100000000000001", contact_name="王", contact_phone="+8613800138000", province="上海市",
                  city="上海市", address_line="世纪大道 1 号", delivery_method="standard", delivery_fee=Decimal("0"),
                  estimated_date="2026-12-01", subtotal=Decimal("20"), total=Decimal("20"))  # fmt: skip
    lines = [
        OrderLine(
            order=order, sku=f"SKU-{i}", name=f"商品{i}", unit_price=Decimal("10"), quantity=1, line_total=Decimal("10")
        )
        for i in range(2)
    ]
    event = OrderEvent(order=order, status="pending_payment", kind="placed")
    outbox = OutboxEvent(topic="test.family", payload={"number": order.number})
    sql.insert_family(order, [*lines, event, outbox])
    assert order.pk and all(row.pk for row in (*lines, event, outbox))
    assert [line.order_id for line in lines] == [order.pk, order.pk] and event.order_id == order.pk
    stored = Order.objects.get(pk=order.pk)
    assert list(stored.lines.order_by("pk").values_list("sku", flat=True)) == ["SKU-0", "SKU-1"]
    assert [line.pk for line in lines] == list(stored.lines.order_by("pk").values_list("pk", flat=True))
    assert stored.events.get().pk == event.pk and stored.contact_phone == "+8613800138000"
    assert OutboxEvent.objects.get(pk=outbox.pk).payload == {"number": order.number}


def test_insert_families_writes_two_families_in_one_statement(django_assert_num_queries):
    from zizhu.orders.models import OrderEvent
    from zizhu.payments.models import Payment, PaymentEvent

    order = Order(number="O100000000000002", contact_name="李", contact_phone="+8613800138001", province="上海市",
                  city="上海市", address_line="世纪大道 2 号", delivery_method="standard", delivery_fee=Decimal("0"),
                  estimated_date="2026-12-01", subtotal=Decimal("30"), total=Decimal("30"))  # fmt: skip
    placed = OrderEvent(order=order, status="pending_payment", kind="placed")
    payment = Payment(reference=order.number, amount=Decimal("30"))
    created = PaymentEvent(payment=payment, kind="created", data={"amount": "30.00"})
    queries = 1 if connection.vendor == "postgresql" else 4
    with django_assert_num_queries(queries):
        sql.insert_families([(order, [placed]), (payment, [created])])
    assert placed.order_id == order.pk and created.payment_id == payment.pk
    assert Order.objects.get(pk=order.pk).events.get().pk == placed.pk
    assert Payment.objects.get(pk=payment.pk).reference == order.number
    assert PaymentEvent.objects.get(pk=created.pk).payment_id == payment.pk
