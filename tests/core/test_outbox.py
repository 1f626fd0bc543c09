"""The transactional outbox: events commit with their change, handlers run once, failures retry."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from zizhu.core import events
from zizhu.core.models import HandledEvent, OutboxEvent

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def recorded():
    """A handler that records the events it saw; unregistered afterwards."""
    seen: list[int] = []

    def record(event):
        seen.append(event.pk)

    events.handler("test.recorded", name="tests.record")(record)
    yield seen
    events.unregister("test.recorded", "tests.record")


@pytest.mark.smoke
@pytest.mark.django_db(transaction=True)
def test_event_is_dispatched_after_commit_exactly_once(recorded):
    with transaction.atomic():
        event = events.emit("test.recorded", {"n": 1})
        assert recorded == []  # nothing runs before commit
    assert recorded == [event.pk]
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.DONE and event.dispatched_at is not None
    # a second dispatch (e.g. a redelivered task) does nothing
    assert events.dispatch_event(event.pk) is True
    assert recorded == [event.pk]


@pytest.mark.smoke
@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_leaves_no_event(recorded):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit("test.recorded", {"n": 1})
        raise RuntimeError("the change failed")
    assert OutboxEvent.objects.count() == 0
    assert recorded == []


@pytest.mark.smoke
@pytest.mark.django_db(transaction=True)
def test_failing_handler_is_retried_with_backoff_and_others_are_not_repeated(recorded, monkeypatch):
    calls = {"flaky": 0}

    def flaky(event):
        calls["flaky"] += 1
        if calls["flaky"] < 3:
            raise ConnectionError("SMS gateway down")

    events.handler("test.recorded", name="tests.flaky")(flaky)
    try:
        event = events.emit("test.recorded", {})  # autocommit: dispatched at once, flaky fails
        event.refresh_from_db()
        assert event.status == OutboxEvent.Status.PENDING
        assert event.attempts == 1
        assert event.available_at > timezone.now() + timedelta(seconds=1)
        assert "SMS gateway down" in event.last_error
        assert recorded == [event.pk]  # the healthy handler ran once

        # not due yet: the sweep leaves it alone
        assert events.dispatch_pending() == 0
        OutboxEvent.objects.filter(pk=event.pk).update(available_at=timezone.now())
        events.dispatch_pending()  # second failure
        OutboxEvent.objects.filter(pk=event.pk).update(available_at=timezone.now())
        assert events.dispatch_pending() == 1  # third attempt succeeds
        event.refresh_from_db()
        assert event.status == OutboxEvent.Status.DONE
        assert calls["flaky"] == 3
        assert recorded == [event.pk]  # never repeated
        assert HandledEvent.objects.filter(event=event).count() == 2
    finally:
        events.unregister("test.recorded", "tests.flaky")


@pytest.mark.smoke
@pytest.mark.django_db(transaction=True)
def test_gives_up_after_max_attempts(monkeypatch):
    def broken(event):
        raise ValueError("bad payload")

    events.handler("test.broken", name="tests.broken")(broken)
    try:
        event = events.emit("test.broken", {})
        for _ in range(events.MAX_ATTEMPTS):
            OutboxEvent.objects.filter(pk=event.pk).update(available_at=timezone.now())
            events.dispatch_pending()
        event.refresh_from_db()
        assert event.status == OutboxEvent.Status.FAILED
        assert event.attempts == events.MAX_ATTEMPTS
    finally:
        events.unregister("test.broken", "tests.broken")


def test_backoff_grows_and_is_capped():
    delays = [events.backoff_delay(n).total_seconds() for n in range(1, 15)]
    assert delays == sorted(delays)
    assert delays[0] == 2 and max(delays) == events.BACKOFF_CAP_SECONDS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_killed_dispatcher_loses_nothing_and_repeats_nothing():
    """Kill -9 a dispatcher half-way; a new one finishes; every effect exists exactly once."""
    total = 60
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS outbox_test_effect")
        cursor.execute("CREATE TABLE outbox_test_effect (event_id bigint NOT NULL, written_at timestamptz)")
    OutboxEvent.objects.bulk_create([OutboxEvent(topic="test.effect", payload={"n": n}) for n in range(total)])

    env = {**os.environ, "DATABASE_URL": _database_url_of_test_db(), "PYTHONPATH": str(REPO)}
    worker = [sys.executable, "-m", "tests.core.outbox_worker"]

    first = subprocess.Popen(worker, env=env, cwd=REPO)
    try:
        _wait_until(lambda: _effects() >= total // 3, timeout=60)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    done_when_killed = _effects()
    assert 0 < done_when_killed < total, "the kill must land half-way"
    assert OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING).exists()

    second = subprocess.Popen(worker, env=env, cwd=REPO)
    try:
        _wait_until(lambda: not OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING).exists(), timeout=90)
    finally:
        second.terminate()
        second.wait()

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT event_id) FROM outbox_test_effect")
        rows, distinct = cursor.fetchone()
        cursor.execute("DROP TABLE outbox_test_effect")
    assert distinct == total, "no event lost"
    assert rows == total, "no event handled twice"


def _effects() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM outbox_test_effect")
        return cursor.fetchone()[0]


def _wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def _database_url_of_test_db() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
