"""Product views without a session or a write in the request: the guest key in a signed cookie, the
views, history touches and behaviour events queued in Redis and written in bulk by a flush (production's
``ZIZHU_RECORDING_QUEUE``; real Redis and PostgreSQL from the test settings)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zizhu.catalog import recording
from zizhu.catalog.models import BehaviourEvent, BrowsingHistory, Favourite
from zizhu.catalog.owners import GUEST_COOKIE, GUEST_KEY, cookie_key

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "RELEASE", "COMMIT", "BEGIN")


@pytest.fixture
def queue(settings):
    """The recording queue on, in the test settings' Redis database, empty before and after."""
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("needs Redis (make test runs it)")
    settings.ZIZHU_RECORDING_QUEUE = True
    settings.ZIZHU_RECORDING_FLUSH_THREAD = False  # in the request (the thread is tested on its own below)
    redis = recording._redis()
    keys = [recording._key(name) for name in ("queue", "processing", "lock")]
    redis.delete(*keys)
    yield redis
    redis.delete(*keys)


def guest_of(client) -> str:
    """The guest key in the client's signed cookie."""
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.COOKIES[GUEST_COOKIE] = client.cookies[GUEST_COOKIE].value
    return cookie_key(request)


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_a_cookieless_first_view_makes_no_session_and_writes_nothing(client, shop, queue):
    from django.test import Client

    Client().get(f"/p/{shop.shirt.slug}/")  # another visitor: the product and its page are cached now
    queue.delete(recording._key("queue"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/p/{shop.shirt.slug}/")
    assert response.status_code == 200
    assert writes(queries) == []  # nothing written in the request (nor after it: the queue holds it)
    assert len(queries) == 1  # the product row with its variants' prices and stock
    assert "sessionid" not in response.cookies and not Session.objects.exists()
    cookie = response.cookies[GUEST_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["max-age"] == 60 * 60 * 24 * 30
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()  # the favourite button still works
    assert not BehaviourEvent.objects.exists() and not BrowsingHistory.objects.exists()
    assert recording.pending() == 1

    assert recording.flush() == 1
    event = BehaviourEvent.objects.get()
    history = BrowsingHistory.objects.get()
    assert event.event_type == "view" and event.product == shop.shirt and event.context == {"source": "page"}
    assert history.product == shop.shirt and history.user is None
    assert event.session_key == history.session_key and len(history.session_key) == 32
    assert recording.pending() == 0


def test_the_cookie_keeps_the_guest_and_is_secure_in_production(client, shop, queue, settings):
    settings.SESSION_COOKIE_SECURE = True
    first = client.get(f"/p/{shop.shirt.slug}/")
    assert first.cookies[GUEST_COOKIE]["secure"]
    second = client.get(f"/p/{shop.phone.slug}/")  # the client sends the cookie back
    assert GUEST_COOKIE not in second.cookies  # no new key
    recording.flush()
    keys = set(BrowsingHistory.objects.values_list("session_key", flat=True))
    assert keys == {guest_of(client)} and BrowsingHistory.objects.count() == 2
    assert set(BehaviourEvent.objects.values_list("session_key", flat=True)) == keys


def test_a_forged_cookie_is_ignored(client, shop, queue):
    client.cookies[GUEST_COOKIE] = "someone-elses-key-0123456789abcdef"
    response = client.get(f"/p/{shop.shirt.slug}/")
    recording.flush()
    assert BrowsingHistory.objects.get().session_key != "someone-elses-key-0123456789abcdef"
    assert response.cookies[GUEST_COOKIE].value


def test_many_requests_are_written_in_one_transaction(client, shop, queue):
    from django.test import Client

    for _visitor in range(5):
        Client().get(f"/p/{shop.shirt.slug}/")  # five first-time visitors
    client.get(f"/p/{shop.shirt.slug}/")
    client.get(f"/p/{shop.phone.slug}/")
    client.get(f"/p/{shop.shirt.slug}/")  # seen again: still one row, now the latest
    assert recording.pending() == 8
    with CaptureQueriesContext(connection) as queries:
        assert recording.flush() == 8
    inserts = [sql for sql in writes(queries) if sql.startswith("INSERT")]
    assert len(inserts) == 2  # the history rows, the events
    assert BehaviourEvent.objects.filter(event_type="view").count() == 8
    assert BrowsingHistory.objects.count() == 7
    latest = BrowsingHistory.objects.filter(user=None).order_by("-viewed_at").first()
    assert latest.product == shop.shirt


def test_a_long_queue_is_flushed_by_the_request_that_passes_the_mark(client, shop, queue, monkeypatch):
    monkeypatch.setattr(recording, "FLUSH_AT", 2)
    client.get(f"/p/{shop.shirt.slug}/")
    client.get(f"/p/{shop.phone.slug}/")
    assert BehaviourEvent.objects.count() == 0
    client.get(f"/p/{shop.other_phone.slug}/")  # the third passes the mark: written after its response
    assert BehaviourEvent.objects.count() == 3 and recording.pending() == 0


def test_the_periodic_job_is_listed_for_both_schedulers(settings, shop, queue, client):
    assert ("zizhu.catalog.tasks.flush_recorded_activity", 5) in settings.ZIZHU_PERIODIC_JOBS
    from django.utils.module_loading import import_string

    client.get(f"/p/{shop.shirt.slug}/")
    import_string("zizhu.catalog.tasks.flush_recorded_activity")()  # what both schedulers call
    assert BehaviourEvent.objects.count() == 1


def test_a_dead_flushers_batch_is_written_by_the_next_flush(client, shop, queue):
    client.get(f"/p/{shop.shirt.slug}/")
    queue.rename(recording._key("queue"), recording._key("processing"))  # taken, then the flusher died
    client.get(f"/p/{shop.phone.slug}/")
    assert recording.flush() == 2
    assert BehaviourEvent.objects.count() == 2 and recording.pending() == 0


def test_another_flusher_holding_the_lock_is_left_alone(client, shop, queue):
    client.get(f"/p/{shop.shirt.slug}/")
    lock = queue.lock(recording._key("lock"), timeout=5)
    assert lock.acquire(blocking=False)
    try:
        assert recording.flush() == 0  # the periodic job does not wait
    finally:
        lock.release()
    assert recording.flush() == 1


def test_views_of_deleted_products_and_accounts_keep_the_event_without_the_link(client, customer, shop, queue):
    client.force_login(customer)
    client.get(f"/p/{shop.shirt.slug}/")
    shop.shirt.delete()
    customer.delete()
    assert recording.flush() == 1
    event = BehaviourEvent.objects.get()
    assert event.product_id is None and event.user_id is None and event.session_key == ""
    assert not BrowsingHistory.objects.exists()


def test_history_pages_and_the_api_show_queued_views(client, customer, shop, queue):
    client.get(f"/p/{shop.phone.slug}/")
    assert shop.phone.name_zh in client.get("/history/").content.decode()  # a guest (cookie only)
    client.force_login(customer)
    client.get(f"/p/{shop.shirt.slug}/")
    client.get(f"/p/{shop.other_phone.slug}/")
    items = client.get("/api/v1/me/history").json()["items"]
    assert [item["product"]["slug"] for item in items] == [shop.other_phone.slug, shop.shirt.slug]


def test_clearing_history_writes_the_queued_views_first(client, customer, shop, queue):
    client.force_login(customer)
    client.get(f"/p/{shop.shirt.slug}/")
    assert client.delete("/api/v1/me/history").status_code == 204
    recording.flush()
    assert not BrowsingHistory.objects.exists()  # the queued view did not come back after the clearing
    assert BehaviourEvent.objects.filter(user=customer, event_type="view").count() == 1  # still learned from


def test_sign_in_moves_the_cookie_guests_activity_and_drops_the_cookie(client, customer, password, shop, queue):
    client.get(f"/p/{shop.shirt.slug}/")
    key = guest_of(client)
    response = client.post(f"/p/{shop.phone.slug}/favourite/")  # makes a session, which adopts the key
    assert response.status_code == 302
    assert client.session[GUEST_KEY] and Favourite.objects.get(user=None).product == shop.phone
    assert BrowsingHistory.objects.count() == 0  # the view is still queued
    response = client.post("/accounts/signin/", {"username": customer.email, "password": password})
    assert response.status_code == 302
    assert response.cookies[GUEST_COOKIE].value == ""  # dropped: the next visitor starts a new guest
    assert client.session[GUEST_KEY] == key  # later events carry the account and the guest key
    assert list(BrowsingHistory.objects.values_list("user", "product")) == [(customer.pk, shop.shirt.pk)]
    assert list(Favourite.objects.values_list("user", "product")) == [(customer.pk, shop.phone.pk)]


def test_a_guest_with_only_the_cookie_is_merged_at_sign_in(client, customer, password, shop, queue):
    client.get(f"/p/{shop.shirt.slug}/")
    key = guest_of(client)
    response = client.post("/accounts/signin/", {"username": customer.email, "password": password})
    assert response.status_code == 302
    assert client.session[GUEST_KEY] == key
    assert list(BrowsingHistory.objects.values_list("user", "product")) == [(customer.pk, shop.shirt.pk)]
    client.get(f"/p/{shop.phone.slug}/")
    recording.flush()
    event = BehaviourEvent.objects.filter(product=shop.phone).get()
    assert event.user == customer and event.session_key == key


def test_a_favourite_of_a_cookie_guest_shows_on_the_page(client, shop, queue):
    client.get(f"/p/{shop.shirt.slug}/")
    client.post(f"/p/{shop.shirt.slug}/favourite/", HTTP_HX_REQUEST="true")
    assert 'aria-pressed="true"' in client.get(f"/p/{shop.shirt.slug}/").content.decode()
    assert shop.shirt.name_zh in client.get("/favourites/").content.decode()


def test_redis_down_writes_at_once(client, shop, queue, monkeypatch):
    def broken():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(recording, "_redis", broken)
    assert client.get(f"/p/{shop.shirt.slug}/").status_code == 200
    assert BehaviourEvent.objects.count() == 1 and BrowsingHistory.objects.count() == 1


def test_a_chunk_written_twice_adds_events_but_no_history_rows(client, shop, queue):
    client.get(f"/p/{shop.shirt.slug}/")  # a new guest: their first view skips the history look-up
    client.get(f"/p/{shop.phone.slug}/")
    items = queue.lrange(recording._key("queue"), 0, -1)
    assert recording.flush() == 2
    queue.rpush(recording._key("processing"), *items)  # as if a flusher died after its commit
    assert recording.flush() == 2
    assert BrowsingHistory.objects.count() == 2  # at least once: the history is idempotent
    assert BehaviourEvent.objects.count() == 4  # the events are not (documented)


@pytest.mark.django_db(transaction=True)
def test_in_production_a_long_queue_wakes_the_processs_flusher_thread(client, shop, queue, settings, monkeypatch):
    import time

    settings.ZIZHU_RECORDING_FLUSH_THREAD = True
    monkeypatch.setattr(recording, "FLUSH_AT", 2)
    for product in (shop.shirt, shop.phone, shop.other_phone):
        client.get(f"/p/{product.slug}/")
    try:
        deadline = time.monotonic() + 10
        while BehaviourEvent.objects.count() < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert BehaviourEvent.objects.count() == 3 and recording.pending() == 0
        assert recording._flusher.thread is not None and recording._flusher.thread.name == "recording-flusher"
    finally:
        recording._flusher.stop()  # closes its connection: the test database can be dropped
