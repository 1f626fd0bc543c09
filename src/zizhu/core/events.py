"""Emit events into the outbox and dispatch them to registered handlers.

Usage in a service::

    with transaction.atomic():
        order.save()
        events.emit("order.paid", {"order": order.number})

Handlers are registered in an app's ``events.py``::

    @events.handler("order.paid")
    def send_receipt(event): ...

Each handler runs in its own transaction together with its idempotency mark. A handler
that fails is retried with exponential back-off; after ``MAX_ATTEMPTS`` the event is
marked failed for staff to inspect in the back office.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from zizhu.core import sql
from zizhu.core.models import HandledEvent, OutboxEvent

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 2
BACKOFF_CAP_SECONDS = 3600


@dataclass(frozen=True)
class Handler:
    name: str
    func: Callable[[OutboxEvent], None]


_registry: dict[str, list[Handler]] = {}


def handler(topic: str, *, name: str | None = None) -> Callable[[Callable[[OutboxEvent], None]], Callable]:
    """Register ``func`` for ``topic``. The name (default: module.function) is the idempotency key."""

    def register(func: Callable[[OutboxEvent], None]) -> Callable[[OutboxEvent], None]:
        handler_name = name or f"{func.__module__}.{func.__qualname__}"
        handlers = _registry.setdefault(topic, [])
        if not any(h.name == handler_name for h in handlers):
            handlers.append(Handler(handler_name, func))
        return func

    return register


def unregister(topic: str, handler_name: str) -> None:
    _registry[topic] = [h for h in _registry.get(topic, []) if h.name != handler_name]


def handlers_for(topic: str) -> list[Handler]:
    return list(_registry.get(topic, []))


def emit(topic: str, payload: dict[str, Any]) -> OutboxEvent:
    """Record an event in the current transaction; it is dispatched after commit."""
    return emitted(sql.insert(OutboxEvent(topic=topic, payload=payload)))  # prebuilt INSERT: hot paths emit


def emitted(event: OutboxEvent) -> OutboxEvent:
    """``emit`` for an event row the caller inserted itself (together with its own rows, in one
    statement: ``core.sql.insert_family``); call it right after, in the same transaction."""
    if _registry.get(event.topic):
        transaction.on_commit(lambda: _enqueue(event.pk))
    # An event nobody handles (yet) is not sent to the broker: the periodic sweep marks it done.
    # That keeps a broker round trip off hot requests such as placing an order (order.placed).
    return event


def _enqueue(event_id: int) -> None:
    from zizhu.core.tasks import dispatch_event_task

    try:
        dispatch_event_task.delay(event_id)
    except Exception:  # the broker being down must not fail the request: the sweep picks it up
        logger.exception("Could not enqueue event %s; the periodic sweep will dispatch it", event_id)


def backoff_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS**attempts, BACKOFF_CAP_SECONDS))


def dispatch_event(event_id: int) -> bool:
    """Run every handler of one event that has not run yet. Returns True when all are done."""
    done_names = set(HandledEvent.objects.filter(event_id=event_id).values_list("handler", flat=True))
    event = OutboxEvent.objects.filter(pk=event_id, status=OutboxEvent.Status.PENDING).first()
    if event is None:
        return True
    failures: list[str] = []
    for registered in handlers_for(event.topic):
        if registered.name in done_names:
            continue
        try:
            _run_handler(event, registered)
        except IntegrityError:
            # Another dispatcher finished this handler at the same moment: it ran once.
            logger.info("Handler %s for event %s already done elsewhere", registered.name, event.pk)
        except Exception as exc:
            logger.exception("Handler %s failed for event %s", registered.name, event.pk)
            failures.append(f"{registered.name}: {exc!r}")
    _record_outcome(event, failures)
    return not failures


def _run_handler(event: OutboxEvent, registered: Handler) -> None:
    with transaction.atomic():
        # The mark first: a concurrent dispatcher of the same handler blocks on (or
        # fails at) the unique constraint instead of running the handler twice.
        HandledEvent.objects.create(event=event, handler=registered.name)
        registered.func(event)


def _record_outcome(event: OutboxEvent, failures: list[str]) -> None:
    now = timezone.now()
    if not failures:
        OutboxEvent.objects.filter(pk=event.pk).update(status=OutboxEvent.Status.DONE, dispatched_at=now)
        return
    attempts = event.attempts + 1
    status = OutboxEvent.Status.FAILED if attempts >= MAX_ATTEMPTS else OutboxEvent.Status.PENDING
    OutboxEvent.objects.filter(pk=event.pk).update(
        attempts=attempts,
        status=status,
        available_at=now + backoff_delay(attempts),
        last_error="\n".join(failures)[:4000],
    )


def due_event_ids(limit: int = 100) -> list[int]:
    """Ids of events due for dispatch, oldest first.

    No lock is taken: two dispatchers may pick the same event, and the unique
    (event, handler) mark makes sure each handler's effect still happens once.
    """
    due = OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING, available_at__lte=timezone.now())
    return list(due.order_by("available_at", "id").values_list("id", flat=True)[:limit])


def dispatch_pending(limit: int = 500) -> int:
    """Dispatch every due event (the periodic sweep). Returns how many were fully handled."""
    handled = 0
    for event_id in due_event_ids(limit):
        if dispatch_event(event_id):
            handled += 1
    return handled
