"""Idempotency keys (DESIGN.md §4): a retried request has its effect once.

A client sends ``Idempotency-Key: <1–255 printable ASCII characters>`` with a request that
changes something (placing an order, confirming a payment). The first request with a key
claims it by INSERTing a row into a table with a unique (scope, owner, key) index — the
database, not a Python ``if``, decides which of two concurrent requests runs. Then:

* same key, same body, first one finished → its response is replayed (no second effect);
* same key, different body → 422 ``idempotency_key_reused``;
* same key while the first is still running → 409 ``idempotency_key_in_use``.

Keys are kept 24 hours (``purge_expired`` runs as a periodic job); an expired key counts as
new. A claim whose process died (still "in progress" after ``STALE_AFTER``) may be taken
over by a retry with the same body, so a crash never blocks a key for a day.

Two ways to run the action:

* ``execute``/``respond``: the claim is committed first, the action runs in its own
  transactions and may call other systems (a payment gateway); the outcome is stored after.
* ``execute_atomic``/``respond_atomic``: for an action that only writes to this database
  (placing an order). Claim, action and stored outcome are ONE transaction and one commit.
  On PostgreSQL the claim takes a transaction-scoped advisory lock on the key
  (``pg_try_advisory_xact_lock``) in the same statement as its INSERT, so a concurrent
  request with the same key does not wait for the first to finish: it fails to get the lock
  and answers 409. A crash rolls the claim back with everything else.

Usage in a Ninja endpoint::

    @router.post("/{number}/confirm", response={200: PaymentOut, 409: ErrorOut, 422: ErrorOut})
    def confirm(request, number: str, payload: ConfirmIn):
        return idempotency.respond(request, scope="payments.confirm",
                                   action=lambda: (200, PaymentOut.from_orm(...).model_dump(mode="json")))
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.core import sql
from zizhu.core.errors import Conflict, DomainError, InvalidInput
from zizhu.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
STALE_AFTER = timedelta(minutes=2)
# Errors that say "try again" are not stored: the retry with the same key runs again.
RETRYABLE_STATUSES = frozenset({409, 429})
INTEGRITY_RETRIES = 2  # execute_atomic: whole-transaction retries after a unique-number collision
_VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")

Action = Callable[[], tuple[int, Any]]
# Steps an ``execute_atomic`` action asked to run after its outcome is stored (``at_end``).
_LAST_STEPS: ContextVar[list[Callable[[], None]] | None] = ContextVar("idempotency_last_steps", default=None)


@dataclass(frozen=True)
class Outcome:
    status: int
    body: Any
    replayed: bool


def validate_key(raw: str | None, *, required: bool = True) -> str | None:
    """The header's value, or a 422 that says what is wrong with it."""
    if raw is None or raw == "":
        if not required:
            return None
        message = _("Send an Idempotency-Key header (1 to 255 printable characters) with this request.")
        raise InvalidInput(message, fields={HEADER: [message]}, code="idempotency_key_missing")
    if not _VALID_KEY.fullmatch(raw) or not raw.strip():
        message = _("The Idempotency-Key header must be 1 to 255 printable ASCII characters.")
        raise InvalidInput(message, fields={HEADER: [message]}, code="idempotency_key_invalid")
    return raw


def canonical_body(body: bytes) -> bytes:
    """JSON bodies are compared by content (key order and spacing do not matter)."""
    try:
        return json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        return body


def fingerprint(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def execute(*, scope: str, owner: str, key: str, request_fingerprint: str, action: Action) -> Outcome:
    """Run ``action`` once per (scope, owner, key); replay its stored outcome afterwards.

    ``action`` returns ``(status, json_body)``. A ``DomainError`` it raises is stored as the
    outcome too (and re-raised), except the "try again" ones (409, 429).
    """
    existing = _claim(scope=scope, owner=owner, key=key, request_fingerprint=request_fingerprint)
    if existing is not None:
        if existing.fingerprint != request_fingerprint:
            message = _("This Idempotency-Key was already used for a different request. Use a new key.")
            raise InvalidInput(message, fields={HEADER: [message]}, code="idempotency_key_reused")
        if existing.status != IdempotencyKey.Status.DONE:
            raise Conflict(
                _("A request with this Idempotency-Key is still being processed. Please wait and try again."),
                code="idempotency_key_in_use",
            )
        return Outcome(int(existing.response_status or 200), existing.response_body, replayed=True)
    claim = {"scope": scope, "owner": owner, "key": key}
    try:
        status, body = action()
    except DomainError as exc:
        if exc.status in RETRYABLE_STATUSES:
            IdempotencyKey.objects.filter(**claim).delete()
        else:
            _store(claim, exc.status, exc.as_dict())
        raise
    except BaseException:
        IdempotencyKey.objects.filter(**claim).delete()  # nothing to replay: the retry runs again
        raise
    _store(claim, status, body)
    return Outcome(status, body, replayed=False)


def _claim(*, scope: str, owner: str, key: str, request_fingerprint: str) -> IdempotencyKey | None:
    """None when this request now owns the key; otherwise the row that someone else claimed."""
    now = timezone.now()
    lookup = {"scope": scope, "owner": owner, "key": key}
    IdempotencyKey.objects.filter(**lookup, created_at__lt=now - RETENTION).delete()  # expired counts as new
    for _attempt in range(2):
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(**lookup, fingerprint=request_fingerprint, created_at=now, claimed_at=now)
            return None
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(**lookup).first()
        if existing is None:
            continue  # released between our INSERT and our SELECT: try the INSERT again
        if (
            existing.status == IdempotencyKey.Status.IN_PROGRESS
            and existing.fingerprint == request_fingerprint
            and existing.claimed_at < now - STALE_AFTER
        ):
            # The first request's process died: a conditional UPDATE lets exactly one retry take over.
            taken = IdempotencyKey.objects.filter(
                pk=existing.pk, status=IdempotencyKey.Status.IN_PROGRESS, claimed_at=existing.claimed_at
            ).update(claimed_at=now)
            if taken:
                return None
        return existing
    raise Conflict(code="idempotency_key_in_use")


# Plain SQL: it runs inside every checkout, where compiling the ORM's UPDATE cost more than running it.
_STORE = (
    "UPDATE core_idempotencykey SET status = %s, response_status = %s, response_body = %s, completed_at = %s "
    "WHERE scope = %s AND owner = %s AND key = %s"
)


def _store(claim: dict[str, str], status: int, body: Any) -> None:
    db = sql.default_connection()
    stored_body = IdempotencyKey._meta.get_field("response_body").get_db_prep_save(body, db)
    completed = db.ops.adapt_datetimefield_value(timezone.now())
    done = IdempotencyKey.Status.DONE.value
    with db.cursor() as cursor:
        cursor.execute(_STORE, [done, status, stored_body, completed, claim["scope"], claim["owner"], claim["key"]])


def owner_of(request: HttpRequest) -> str:
    """Keys belong to a customer (or a guest's session): others cannot replay them."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    session = getattr(request, "session", None)
    if session is not None:
        if not session.session_key:
            session.save()
        return f"session:{session.session_key}"
    return "anonymous"


def respond(request: HttpRequest, *, scope: str, action: Action, required: bool = True) -> JsonResponse:
    """Run a Ninja endpoint's ``action`` under the request's Idempotency-Key and answer JSON."""
    key = validate_key(request.headers.get(HEADER), required=required)
    if key is None:
        status, body = action()
        return JsonResponse(body, status=status, safe=False)
    outcome = execute(
        scope=scope, owner=owner_of(request), key=key, request_fingerprint=fingerprint_of(request), action=action
    )
    return _json(outcome)


def fingerprint_of(request: HttpRequest) -> str:
    """The request as the key remembers it: method, path and the JSON body by content."""
    return fingerprint(request.method or "", request.path, canonical_body(request.body))


def _json(outcome: Outcome) -> JsonResponse:
    response = JsonResponse(outcome.body, status=outcome.status, safe=False)
    if outcome.replayed:
        response[REPLAY_HEADER] = "true"
    return response


def execute_atomic(*, scope: str, owner: str, key: str, request_fingerprint: str, action: Action) -> Outcome:
    """Like ``execute``, but claim, action and outcome commit together (the action must not call
    anything outside this database). A stored ``DomainError`` outcome is written after the
    rollback, in its own small transaction."""
    claim = {"scope": scope, "owner": owner, "key": key}
    for attempt in range(INTEGRITY_RETRIES + 1):
        try:
            with transaction.atomic():
                owned, existing = _claim_in_transaction(claim, request_fingerprint)
                if owned:
                    last_steps: list[Callable[[], None]] = []
                    token = _LAST_STEPS.set(last_steps)
                    try:
                        status, body = action()
                    finally:
                        _LAST_STEPS.reset(token)
                    _store(claim, status, body)
                    for step in last_steps:  # e.g. the stock allocation: its row locks last only until the commit
                        step()
                    return Outcome(status, body, replayed=False)
            return _outcome_of(existing, request_fingerprint)
        except DomainError as exc:
            if exc.status not in RETRYABLE_STATUSES:
                _store_error(claim, request_fingerprint, exc)
            raise
        except IntegrityError:
            # A random public number (order, payment) collided with a stored one: everything was
            # rolled back, so running the whole transaction again draws new numbers.
            if attempt == INTEGRITY_RETRIES:
                raise
    raise AssertionError("unreachable")


def at_end(step: Callable[[], None]) -> None:
    """Run ``step`` as the last write of the transaction: inside an ``execute_atomic`` action, after
    the outcome is stored (so row locks that ``step`` takes, such as a flash sale's hot stock row, are
    held only until the commit, not across the outcome's UPDATE too); anywhere else, now. A
    ``DomainError`` it raises rolls the whole transaction back, stored outcome included."""
    steps = _LAST_STEPS.get()
    if steps is None:
        step()
    else:
        steps.append(step)


def _outcome_of(existing: IdempotencyKey | None, request_fingerprint: str) -> Outcome:
    if existing is not None and existing.fingerprint != request_fingerprint:
        message = _("This Idempotency-Key was already used for a different request. Use a new key.")
        raise InvalidInput(message, fields={HEADER: [message]}, code="idempotency_key_reused")
    if existing is None or existing.status != IdempotencyKey.Status.DONE:
        raise Conflict(
            _("A request with this Idempotency-Key is still being processed. Please wait and try again."),
            code="idempotency_key_in_use",
        )
    return Outcome(int(existing.response_status or 200), existing.response_body, replayed=True)


# One statement: the advisory lock, then the INSERT (an expired row, or one left by a dead
# process of ``execute``, is taken over by the ON CONFLICT branch). No row back = someone
# else holds the key (lock not granted) or a live row exists: the caller reads it.
_PG_CLAIM = """
WITH lock AS (SELECT pg_try_advisory_xact_lock(%(lock)s) AS got)
INSERT INTO core_idempotencykey AS k
    (scope, owner, key, fingerprint, status, response_status, response_body, created_at, claimed_at, completed_at)
SELECT %(scope)s, %(owner)s, %(key)s, %(fingerprint)s, %(status)s, NULL, NULL, %(now)s, %(now)s, NULL
FROM lock WHERE lock.got
ON CONFLICT (scope, owner, key) DO UPDATE
    SET fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status, response_status = NULL,
        response_body = NULL, created_at = EXCLUDED.created_at, claimed_at = EXCLUDED.claimed_at, completed_at = NULL
    WHERE k.created_at < %(expired)s
       OR (k.status = %(status)s AND k.claimed_at < %(stale)s AND k.fingerprint = EXCLUDED.fingerprint)
RETURNING k.id
"""


def _lock_id(claim: dict[str, str]) -> int:
    """A signed 64-bit advisory lock id for the key (a collision only gives a harmless 409)."""
    digest = hashlib.sha256("\x1f".join(["idempotency", claim["scope"], claim["owner"], claim["key"]]).encode())
    return int.from_bytes(digest.digest()[:8], "big", signed=True)


def _claim_in_transaction(claim: dict[str, str], request_fingerprint: str) -> tuple[bool, IdempotencyKey | None]:
    """Inside the caller's transaction: (True, None) when this request now owns the key, else
    (False, the row someone else stored — None while their transaction has not committed yet)."""
    now = timezone.now()
    db = sql.default_connection()
    if db.vendor == "postgresql":
        params = {
            **claim,
            "lock": _lock_id(claim),
            "fingerprint": request_fingerprint,
            "status": IdempotencyKey.Status.IN_PROGRESS.value,
            "now": now,
            "expired": now - RETENTION,
            "stale": now - STALE_AFTER,
        }
        with db.cursor() as cursor:
            cursor.execute(_PG_CLAIM, params)
            if cursor.fetchone() is not None:
                return True, None
        return False, IdempotencyKey.objects.filter(**claim).first()
    # Elsewhere (SQLite: one writer at a time, the transaction itself serialises requests).
    existing = IdempotencyKey.objects.filter(**claim).first()
    if existing is not None and existing.created_at >= now - RETENTION:
        return False, existing
    if existing is not None:
        existing.delete()
    IdempotencyKey.objects.create(**claim, fingerprint=request_fingerprint, created_at=now, claimed_at=now)
    return True, None


def _store_error(claim: dict[str, str], request_fingerprint: str, exc: DomainError) -> None:
    """After the rollback: remember the refusal so a retry with this key gets the same answer."""
    now = timezone.now()
    try:
        with transaction.atomic():
            IdempotencyKey.objects.filter(**claim, created_at__lt=now - RETENTION).delete()
            IdempotencyKey.objects.create(
                **claim,
                fingerprint=request_fingerprint,
                status=IdempotencyKey.Status.DONE,
                response_status=exc.status,
                response_body=exc.as_dict(),
                created_at=now,
                claimed_at=now,
                completed_at=now,
            )
    except IntegrityError:
        pass  # a concurrent request with the key finished first: its outcome stands


def respond_atomic(request: HttpRequest, *, scope: str, action: Action) -> tuple[Outcome, JsonResponse]:
    """``respond`` for a database-only action (``execute_atomic``); the outcome comes back too."""
    key = validate_key(request.headers.get(HEADER), required=True) or ""
    outcome = execute_atomic(
        scope=scope, owner=owner_of(request), key=key, request_fingerprint=fingerprint_of(request), action=action
    )
    return outcome, _json(outcome)


def purge_expired() -> int:
    """Periodic job: keys older than 24 hours are deleted."""
    deleted, _details = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - RETENTION).delete()
    return deleted
