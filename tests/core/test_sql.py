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
