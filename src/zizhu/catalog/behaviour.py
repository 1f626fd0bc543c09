"""Recording behaviour events and history touches without slowing the page.

During a request, ``record`` and ``touch`` only append to a per-thread buffer. When Django signals
``request_finished`` — which the WSGI server sends after the response has gone to the client — the
buffer goes to ``catalog.recording``: written in one transaction (queue off: the embedded profile),
or pushed onto the Redis queue in one ``RPUSH`` and written later in bulk with other requests'
(``ZIZHU_RECORDING_QUEUE``, production). Outside a request (commands, Celery tasks, the shell)
records are written when the current transaction commits.

The buffer never outlives its request: a buffer left over (a request that crashed before
``request_finished``) is handed on at the start of the thread's next request.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import transaction
from django.dispatch import receiver

from zizhu.catalog import recording
from zizhu.catalog.models import BehaviourEvent
from zizhu.catalog.recording import Touch

MAX_BUFFER = 200  # a request recording more than this hands them on early (e.g. an import)

_state = threading.local()


def _buffer() -> list[BehaviourEvent] | None:
    return getattr(_state, "buffer", None)


def _touches() -> list[Touch] | None:
    return getattr(_state, "touches", None)


def record(event: BehaviourEvent) -> None:
    buffer = _buffer()
    if buffer is None:
        transaction.on_commit(lambda: write([event]))
        return
    buffer.append(event)
    if len(buffer) >= MAX_BUFFER:
        flush()


def touch(entry: Touch) -> None:
    """A product view for the owner's browsing history, written with the request's events."""
    touches = _touches()
    if touches is None:
        transaction.on_commit(lambda: recording.write_logged([], [entry]))
        return
    touches.append(entry)


def write(events: list[BehaviourEvent]) -> None:
    """One INSERT for all events; a failure is logged, never raised into a page."""
    recording.write_logged(events, [])


def flush() -> int:
    """Hand the request's records on: to the queue when it is on, else written in one transaction."""
    buffer, touches = _buffer(), _touches()
    events = list(buffer or [])
    entries = list(touches or [])
    if buffer:
        buffer.clear()
    if touches:
        touches.clear()
    if not events and not entries:
        return 0
    if recording.enabled():
        recording.push(events, entries)
    else:
        recording.write_logged(events, entries)
    return len(events)


@receiver(request_started, dispatch_uid="zizhu.catalog.behaviour.start")
def _start(sender: Any, **kwargs: Any) -> None:
    flush()
    _state.buffer = []
    _state.touches = []


@receiver(request_finished, dispatch_uid="zizhu.catalog.behaviour.finish")
def _finish(sender: Any, **kwargs: Any) -> None:
    flush()
    _state.buffer = None
    _state.touches = None
