"""Behaviour events: recorded for views and favourites, written after the response in one
INSERT, and never the cause of a failed page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zizhu.catalog import behaviour, services
from zizhu.catalog.models import BehaviourEvent
from zizhu.catalog.owners import Owner

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_product_view_is_recorded_with_session_and_context(client, shop):
    client.get(f"/p/{shop.shirt.slug}/")
    event = BehaviourEvent.objects.get()
    assert event.event_type == "view" and event.product == shop.shirt
    assert event.session_key and event.user is None
    assert event.context == {"source": "page"}


def test_signed_in_views_and_favourites_carry_the_user(client, customer, shop):
    client.force_login(customer)
    client.get(f"/api/v1/catalog/products/{shop.phone.slug}")
    client.post("/api/v1/me/favourites", {"product": shop.phone.slug}, content_type="application/json")
    types = list(BehaviourEvent.objects.order_by("id").values_list("event_type", "user_id", "product_id"))
    assert types == [("view", customer.pk, shop.phone.pk), ("favourite", customer.pk, shop.phone.pk)]


def test_events_of_a_request_are_written_in_one_insert_after_the_view(shop):
    behaviour._start(sender=None)  # what Django's request_started signal calls
    owner = Owner(session_key="k")
    for _ in range(5):
        services.record_behaviour(event_type="search", owner=owner, query="手机")
    assert BehaviourEvent.objects.count() == 0  # nothing written while the page is being made
    with CaptureQueriesContext(connection) as queries:
        behaviour._finish(sender=None)  # request_finished: after the response has been sent
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert BehaviourEvent.objects.filter(event_type="search", query="手机").count() == 5


def test_outside_a_request_events_are_written_after_commit(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.record_behaviour(event_type="purchase", user=None, session_key="s", product_id=shop.shirt.pk)
    assert BehaviourEvent.objects.filter(event_type="purchase").count() == 1


def test_a_failing_write_is_logged_not_raised(shop, caplog, monkeypatch):
    from django.db import DatabaseError

    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(BehaviourEvent.objects, "bulk_create", fail)
    behaviour.write([BehaviourEvent(event_type="view", product=shop.shirt, session_key="x")])
    assert "Could not record 1 behaviour events" in caplog.text


def test_unknown_types_and_oversized_input_are_refused_or_trimmed(shop):
    from zizhu.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.record_behaviour(event_type="hack", session_key="s")
    event = services.record_behaviour(
        event_type="search", session_key="s" * 100, query="q\x00" * 500, context={"k": "v" * 500, "obj": object()}
    )
    assert len(event.session_key) == 40 and len(event.query) == 200 and "\x00" not in event.query
    assert event.context == {"k": "v" * 200}
