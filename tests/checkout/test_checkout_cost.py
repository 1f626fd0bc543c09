"""What one checkout costs (issue #4's flash sale): a fixed number of queries through the whole HTTP
path, one transaction for the order, and the Idempotency-Key rules kept inside that transaction."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from tests.ordering import api_add, api_place, contact_address, guest_cart
from zizhu.cart.models import Cart
from zizhu.checkout import services
from zizhu.core.errors import Conflict
from zizhu.core.models import IdempotencyKey
from zizhu.inventory import selectors as stock
from zizhu.orders.models import Order
from zizhu.payments.models import Payment

# The request, statement by statement (PostgreSQL, a guest with a one-line cart, sessions in Redis
# with the database behind them: zizhu.core.sessions, i.e. cached_db):
#   SAVEPOINT (the test's transaction stands in for BEGIN)                1
#   advisory lock + INSERT of the Idempotency-Key (one statement)         1
#   UPDATE the session's open cart SET status = 'ordered' … RETURNING     1
#   SELECT lines + variants + products + purchase limits (one JOIN)       1
#   SELECT the best current promotion                                     1
#   INSERT order + order line + order event + outbox row, and the payment +
#     its first event (one statement, core.sql.insert_families)           1
#   UPDATE the Idempotency-Key with the answer                            1
#   allocation: pick, lock, take, ledger, catalogue mirror (one statement) 1
#     (last: the stock row it locks is held only until the commit — idempotency.at_end)
#   RELEASE SAVEPOINT (COMMIT)                                            1
# The guest's grants to see and pay the order go into signed cookies: the session is not written.
# (It was 21 before the flash-sale work of session 3, 11 at its end, 10 in session 5: docs/ordering.md.)
CHECKOUT_QUERIES = 9


@pytest.mark.postgres
@pytest.mark.django_db
def test_placing_an_order_over_the_api_has_a_fixed_query_count(client, tee_m, django_assert_num_queries):
    assert api_add(client, "TEE-M", 1).status_code == 201
    with django_assert_num_queries(CHECKOUT_QUERIES) as captured:
        response = api_place(client)
    assert response.status_code == 201, response.content
    statements = [q["sql"].split()[0].upper() for q in captured.captured_queries]
    assert statements.count("SAVEPOINT") == 1  # the order's transaction: no other
    assert Order.objects.count() == 1 and stock.totals(variant_id=tee_m.pk)["allocated"] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_order_is_one_transaction_and_one_commit(tee_m, django_assert_num_queries):
    client = Client()
    assert api_add(client, "TEE-M", 1).status_code == 201
    with django_assert_num_queries(CHECKOUT_QUERIES, exact=False) as captured:
        assert api_place(client).status_code == 201
    sql = [q["sql"].strip() for q in captured.captured_queries]
    begin, commit = sql.index("BEGIN"), sql.index("COMMIT")
    inside = " ".join(sql[begin:commit])
    for table in ("core_idempotencykey", "cart_cart", "payments_payment", "orders_order", "inventory_stock"):
        assert table in inside, table
    assert sql[commit + 1 :] == []  # nothing after the order's commit (the grants are cookies)
    # The stock row is locked by the last statement before the commit (after the stored answer).
    assert "inventory_stock" in sql[commit - 1] and "core_idempotencykey" in sql[commit - 2]
    assert not any(s.startswith("SAVEPOINT") for s in sql)


@pytest.mark.smoke
@pytest.mark.django_db
def test_replay_and_another_body_after_the_one_transaction_checkout(client, tee_m):
    api_add(client, "TEE-M", 1)
    first = api_place(client)
    again = api_place(client)
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    other = api_place(client, {"contact": {"name": "x"}, "address": {}, "delivery": "standard"})
    assert other.status_code == 422
    row = IdempotencyKey.objects.get(scope="checkout.orders")
    assert row.status == "done" and row.response_status == 201 and row.response_body["number"] == first.json()["number"]


@pytest.mark.smoke
@pytest.mark.django_db
def test_sold_out_releases_the_key_and_changes_nothing(client, tee_m):
    api_add(client, "TEE-M", 2)
    tee_m.stock_rows.update(allocated=9)  # someone else holds 9 of the 10
    response = api_place(client)
    assert response.status_code == 409 and response.json()["code"] == "out_of_stock"
    assert not IdempotencyKey.objects.exists()  # "try again" answers are not stored
    assert Order.objects.count() == 0 and Payment.objects.count() == 0
    assert Cart.objects.get().status == "open"  # the freeze was rolled back with the rest
    tee_m.stock_rows.update(allocated=0)
    assert api_place(client).status_code == 201  # the same key now works


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_key_at_the_same_moment_gives_one_order_and_a_409(tee_m, monkeypatch):
    """The second request does not wait for the first: the advisory lock answers 409 at once."""
    cart = guest_cart((tee_m, 1), key="guest-1")
    contact, address = contact_address()
    inside = threading.Event()
    release = threading.Event()
    original = services._check_lines

    def slow_check(lines):
        inside.set()
        release.wait(timeout=10)
        return original(lines)

    monkeypatch.setattr(services, "_check_lines", slow_check)
    results: dict[str, object] = {}

    def place(name: str) -> None:
        try:
            order = services.place_order(
                cart=Cart.objects.get(pk=cart.pk),
                customer=None,
                contact=contact,
                address=address,
                delivery="standard",
                idempotency_key="same",
                idempotency_owner="guest-1",
            )
            results[name] = order.number
        except Conflict as exc:
            results[name] = exc.code
        finally:
            connection.close()

    first = threading.Thread(target=place, args=("first",))
    first.start()
    assert inside.wait(timeout=10)
    second = threading.Thread(target=place, args=("second",))
    second.start()
    second.join(timeout=10)
    assert not second.is_alive() and results["second"] == "idempotency_key_in_use"
    release.set()
    first.join(timeout=30)
    assert Order.objects.get().number == results["first"]
    place("retry")  # after the first finished: the same order, replayed
    assert results["retry"] == results["first"] and Order.objects.count() == 1
