"""Writing what visitors do — behaviour events and browsing-history touches — in bulk.

A request collects its records (``catalog.behaviour``). After the response they go either

* straight to the database in one transaction (``write``; the embedded profile, and whenever the
  queue is off), or
* with ``ZIZHU_RECORDING_QUEUE`` on (production: Redis), onto a Redis list as one compact JSON item
  (``push``: one ``RPUSH``). ``flush`` moves the list into the database, many requests per
  transaction: the periodic job ``catalog.tasks.flush_recorded_activity`` every few seconds, the web
  worker whose push makes the list longer than ``FLUSH_AT``, and every reader that must see the
  latest views (history pages, clearing history, sign-in merge, privacy, the recommender's training).

Delivery is at least once: ``flush`` renames the list to a processing list (pushes go on into a new
list), writes it chunk by chunk and removes each chunk only after its transaction committed. A flusher
that dies leaves the processing list, and the next flush (once the lock expired) writes it first: a
chunk whose transaction committed just before the death is written twice (duplicate events; history
touches are idempotent). What can be lost: the records of a request whose worker dies between the
response and the push, and what Redis itself loses on a crash (see docs/catalog.md).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from redis.exceptions import LockError

from zizhu.catalog.models import BehaviourEvent, BrowsingHistory, Product

logger = logging.getLogger(__name__)

HISTORY_LIMIT = 200  # history rows kept per owner (the oldest go)
FLUSH_AT = 200  # queued requests: a push that passes this (and every FLUSH_AT more) wakes the process's flusher
CHUNK = 1000  # queued requests written per transaction
LOCK_SECONDS = 60  # a dead flusher's lock expires after this
WAIT_SECONDS = 10.0  # how long a reader that needs the latest views waits for another flusher
MAX_ROUNDS = 20  # a flush stops after this many chunks (the next one goes on)


@dataclass(frozen=True)
class Touch:
    """A product view for the owner's browsing history (latest view per product)."""

    user_id: int | None
    session_key: str
    product_id: int
    viewed_at: datetime
    new_guest: bool = False  # the guest key was made by this view: the guest has no rows yet


def enabled() -> bool:
    return bool(getattr(settings, "ZIZHU_RECORDING_QUEUE", False))


def _redis() -> Any:
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _key(name: str) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return f"{prefix}:catalog:recorded:{name}"


# --- the compact form (one JSON array per request) -------------------------------------------------


def _ts(moment: datetime) -> float:
    return moment.timestamp()


def _moment(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def encode(events: Iterable[BehaviourEvent], touches: Iterable[Touch]) -> str:
    rows: list[list[Any]] = [
        ["e", e.event_type, e.user_id, e.session_key, e.product_id, e.query, e.context, _ts(e.occurred_at)]
        for e in events
    ]
    rows += [["h", t.user_id, t.session_key, t.product_id, _ts(t.viewed_at), int(t.new_guest)] for t in touches]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def decode(items: Iterable[bytes | str]) -> tuple[list[BehaviourEvent], list[Touch]]:
    events: list[BehaviourEvent] = []
    touches: list[Touch] = []
    for item in items:
        try:
            rows = json.loads(item)
        except ValueError:
            logger.error("Dropped an unreadable recorded item: %r", item[:200])
            continue
        for row in rows:
            if row[0] == "e":
                _kind, event_type, user_id, session_key, product_id, query, context, ts = row
                events.append(
                    BehaviourEvent(
                        event_type=event_type,
                        user_id=user_id,
                        session_key=session_key,
                        product_id=product_id,
                        query=query,
                        context=context,
                        occurred_at=_moment(ts),
                    )
                )
            elif row[0] == "h":
                _kind, user_id, session_key, product_id, ts, *new = row
                touches.append(Touch(user_id, session_key, product_id, _moment(ts), bool(new and new[0])))
    return events, touches


# --- writing --------------------------------------------------------------------------------------


def _owner_q(owners: Iterable[tuple[int | None, str]]) -> Q:
    owners = list(owners)
    user_ids = {user_id for user_id, _key in owners if user_id is not None}
    keys = {key for user_id, key in owners if user_id is None}
    query = Q(user_id__in=user_ids) if user_ids else Q()
    if keys:
        guests = Q(user__isnull=True, session_key__in=keys)
        query = query | guests if user_ids else guests
    return query


def _write_history(touches: list[Touch]) -> None:
    """Latest view per owner and product: update the rows that exist, insert the others, trim.

    A guest whose key was made by one of these views has no rows yet: nothing to look up or trim."""
    latest: dict[tuple[int | None, str, int], datetime] = {}
    for touch in touches:
        owner_key = (touch.user_id, "" if touch.user_id is not None else touch.session_key, touch.product_id)
        if owner_key not in latest or touch.viewed_at > latest[owner_key]:
            latest[owner_key] = touch.viewed_at
    fresh = {(None, t.session_key) for t in touches if t.new_guest and t.user_id is None}
    new_rows = {key: at for key, at in latest.items() if (key[0], key[1]) in fresh}
    known = {key: at for key, at in latest.items() if (key[0], key[1]) not in fresh}
    if len(known) == 1:  # one returning owner's view (a request written at once): one UPDATE
        (user_id, key, product_id), viewed_at = next(iter(known.items()))
        rows = BrowsingHistory.objects.filter(_owner_q([(user_id, key)]), product_id=product_id)
        if not rows.filter(viewed_at__lt=viewed_at).update(viewed_at=viewed_at):
            new_rows.update(known)  # absent (or newer: the insert then does nothing)
    elif known:
        owners = {(user_id, key) for user_id, key, _product in known}
        product_ids = {product_id for _user, _key, product_id in known}
        existing = BrowsingHistory.objects.filter(_owner_q(owners), product_id__in=product_ids).only(
            "pk", "user_id", "session_key", "product_id", "viewed_at"
        )
        changed = []
        for row in existing:
            owner_key = (row.user_id, "" if row.user_id is not None else row.session_key, row.product_id)
            viewed_at = known.pop(owner_key, None)
            if viewed_at is not None and viewed_at > row.viewed_at:
                row.viewed_at = viewed_at
                changed.append(row)
        if changed:
            BrowsingHistory.objects.bulk_update(changed, ["viewed_at"])
        new_rows.update(known)
    if not new_rows:
        return
    BrowsingHistory.objects.bulk_create(
        [
            BrowsingHistory(user_id=user_id, session_key=key, product_id=product_id, viewed_at=viewed_at)
            for (user_id, key, product_id), viewed_at in new_rows.items()
        ],
        ignore_conflicts=True,  # there already (a newer view, two tabs, a chunk written twice)
    )
    grown = {(user_id, key) for user_id, key, _product in new_rows} - fresh
    if not grown:
        return
    full = (
        BrowsingHistory.objects.filter(_owner_q(grown))
        .values("user_id", "session_key")
        .annotate(n=Count("id"))
        .filter(n__gt=HISTORY_LIMIT)
        .order_by()
    )
    for owner in full:
        rows = BrowsingHistory.objects.filter(_owner_q([(owner["user_id"], owner["session_key"])]))
        stale = list(rows.order_by("-viewed_at", "-id").values_list("pk", flat=True)[HISTORY_LIMIT:])
        BrowsingHistory.objects.filter(pk__in=stale).delete()


def _without_missing(events: list[BehaviourEvent], touches: list[Touch]) -> tuple[list[BehaviourEvent], list[Touch]]:
    """Drop the links to products and accounts deleted since the records were made (an event stays,
    without the link, as the models say; a history touch goes)."""
    from django.contrib.auth import get_user_model

    product_ids = {e.product_id for e in events if e.product_id} | {t.product_id for t in touches}
    user_ids = {e.user_id for e in events if e.user_id} | {t.user_id for t in touches if t.user_id}
    products = set(Product.objects.filter(pk__in=product_ids).values_list("pk", flat=True))
    users = set(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", flat=True))
    for event in events:
        if event.product_id is not None and event.product_id not in products:
            event.product_id = None
        if event.user_id is not None and event.user_id not in users:
            event.user_id = None
            event.session_key = ""  # an erased account's events keep no link to the person
    kept = [t for t in touches if t.product_id in products and (t.user_id is None or t.user_id in users)]
    return events, kept


def write(events: list[BehaviourEvent], touches: list[Touch]) -> None:
    """One transaction: history touches, then the events in one INSERT. Raises on failure."""
    with transaction.atomic():
        if touches:
            _write_history(touches)
        if events:
            BehaviourEvent.objects.bulk_create(events, batch_size=500)


def write_logged(events: list[BehaviourEvent], touches: list[Touch]) -> bool:
    """``write``; when that fails (a product or account deleted a moment ago), again without the
    missing links; a failure after that is logged, never raised into a page."""
    if not events and not touches:
        return True
    try:
        write(events, touches)
        return True
    except Exception:
        logger.warning("Recording %d events failed; retrying without deleted links", len(events), exc_info=True)
    try:
        write(*_without_missing(events, touches))
        return True
    except Exception:
        logger.exception("Could not record %d behaviour events", len(events))
        return False


# --- the queue ------------------------------------------------------------------------------------


def push(events: list[BehaviourEvent], touches: list[Touch]) -> None:
    """Queue one request's records (one RPUSH). Redis unreachable: written at once instead."""
    if not events and not touches:
        return
    try:
        length = _redis().rpush(_key("queue"), encode(events, touches))
    except Exception:
        logger.warning("Recording queue unavailable; writing %d events directly", len(events), exc_info=True)
        write_logged(events, touches)
        return
    if length % FLUSH_AT == 1 and length > FLUSH_AT:  # once per FLUSH_AT pushes past the mark
        if getattr(settings, "ZIZHU_RECORDING_FLUSH_THREAD", True):
            _flusher.wake()  # off the request path: a flush blocked the worker's next request ~30 ms
        else:
            flush(rounds=1)  # what is queued now, not what keeps coming while it writes


class _Flusher:
    """One daemon thread per web process that flushes when a push passes the mark, so the web worker
    goes on serving (the flush mostly waits on PostgreSQL and Redis, which releases the GIL). Started
    on first use, and again in a forked child (threads do not survive a fork)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid = 0
        self.lock = threading.Lock()
        self.stopping = False

    def wake(self) -> None:
        if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
            with self.lock:
                if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
                    self.event, self.stopping = threading.Event(), False
                    self.thread = threading.Thread(target=self.run, name="recording-flusher", daemon=True)
                    self.pid = os.getpid()
                    self.thread.start()
        self.event.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Let the thread finish its flush, close its database connection and end (tests)."""
        thread = self.thread
        if thread is not None and thread.is_alive():
            self.stopping = True
            self.event.set()
            thread.join(timeout)

    def run(self) -> None:
        from django.db import close_old_connections, connection

        while True:
            self.event.wait()
            self.event.clear()
            if self.stopping:
                connection.close()
                return
            try:
                flush(rounds=1)
            except Exception:
                logger.exception("The recording flusher failed")
            finally:
                close_old_connections()  # its own connection: kept while usable (CONN_MAX_AGE)


_flusher = _Flusher()


def pending() -> int:
    """Requests waiting in the queue (both lists)."""
    if not enabled():
        return 0
    redis = _redis()
    return int(redis.llen(_key("queue"))) + int(redis.llen(_key("processing")))


def flush(*, wait: bool = False, rounds: int = MAX_ROUNDS) -> int:
    """Write what is queued, one transaction per ``CHUNK`` requests (at most ``rounds`` of them);
    returns the requests written.

    One flusher at a time (a Redis lock). ``wait``: a reader that must see every view so far waits
    for a running flush to finish instead of returning at once.
    """
    if not enabled():
        return 0
    try:
        redis = _redis()
        queue, processing = _key("queue"), _key("processing")
        if not redis.exists(queue, processing):
            return 0
        lock = redis.lock(_key("lock"), timeout=LOCK_SECONDS)
        if not lock.acquire(blocking=wait, blocking_timeout=WAIT_SECONDS if wait else None):
            return 0
    except Exception:
        logger.warning("Recording queue unavailable; flush skipped", exc_info=True)
        return 0
    written = 0
    try:
        for _round in range(rounds):
            if not redis.exists(processing):
                if not redis.exists(queue):
                    break
                redis.rename(queue, processing)  # atomic: later pushes start a new queue
            items = redis.lrange(processing, 0, CHUNK - 1)
            if items:
                # links to deleted products and accounts dropped first: a deferred foreign-key check
                # failing at COMMIT would otherwise break a caller's own transaction
                write_logged(*_without_missing(*decode(items)))
                redis.ltrim(processing, len(items), -1)  # only after the commit: at least once
                written += len(items)
            lock.reacquire()
    except Exception:
        logger.exception("Flushing the recording queue failed after %d requests", written)
    finally:
        try:
            lock.release()
        except LockError:  # expired meanwhile: another flusher may hold it now
            logger.warning("The recording lock expired during a flush")
    return written
