"""Webhook delivery from the sandbox gateway to the shop: signed, retried until accepted.

Each event is POSTed as JSON with ``Zizhu-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>.<body>">`` signed with the current secret (the first of
``settings.PAYMENTS_SANDBOX_WEBHOOK_SECRETS``). Delivery starts after the gateway's transaction
commits; a failed delivery is retried with back-off by the periodic job ``deliver_due``.

``settings.PAYMENTS_SANDBOX_WEBHOOK_DELIVERY`` chooses how delivery starts: ``celery`` (a
task on a worker, production), ``thread`` (embedded: a short-lived thread, since the embedded
server runs sync views on one thread and a request cannot wait for its own server),
``inline`` (tests) or ``manual`` (tests that deliver by hand).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Zizhu-Signature"
MAX_ATTEMPTS = 12
TIMEOUT_SECONDS = 10

Sender = Callable[[str, bytes, Mapping[str, str]], int]


def sign(body: bytes, secret: str, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(body: bytes, secret: str, timestamp: int | None = None) -> str:
    moment = int(time.time()) if timestamp is None else timestamp
    return f"t={moment},v1={sign(body, secret, moment)}"


def enqueue(event_id: str) -> None:
    mode = getattr(settings, "PAYMENTS_SANDBOX_WEBHOOK_DELIVERY", "celery")
    if mode == "manual":
        return
    if mode == "inline":
        transaction.on_commit(lambda: deliver(event_id))
    elif mode == "thread":
        transaction.on_commit(
            lambda: threading.Thread(
                target=_deliver_in_thread, args=(event_id,), daemon=True, name=f"zizhu-webhook-{event_id}"
            ).start()
        )
    else:
        transaction.on_commit(lambda: _delay(event_id))


def _delay(event_id: str) -> None:
    from zizhu.payments.sandbox_gateway.tasks import deliver_sandbox_webhook

    try:
        deliver_sandbox_webhook.delay(event_id)
    except Exception:  # the broker being down must not fail the gateway: the sweep retries
        logger.exception("Could not enqueue sandbox webhook %s", event_id)


def _deliver_in_thread(event_id: str) -> None:
    try:
        deliver(event_id)
    finally:
        close_old_connections()


def http_send(url: str, body: bytes, headers: Mapping[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _sender() -> Sender:
    return import_string(getattr(settings, "PAYMENTS_SANDBOX_WEBHOOK_SENDER", f"{__name__}.http_send"))


def deliver(event_id: str) -> bool:
    """One delivery attempt. True when the shop accepted the event (2xx)."""
    from zizhu.payments.sandbox_gateway.models import GatewayEvent

    event = GatewayEvent.objects.filter(pk=event_id, delivered_at=None).first()
    if event is None:
        return True
    url = settings.PAYMENTS_SANDBOX_WEBHOOK_URL or event.notify_url
    body = json.dumps(event.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(body, settings.PAYMENTS_SANDBOX_WEBHOOK_SECRETS[0]),
        "User-Agent": "ZizhuSandboxGateway/1.0",
    }
    error = ""
    try:
        status = _sender()(url, body, headers) if url else 0
        if not url:
            error = "no webhook URL configured"
        elif not 200 <= status < 300:
            error = f"HTTP {status}"
    except Exception as exc:  # noqa: BLE001 (network errors, timeouts: retried later)
        error = f"{type(exc).__name__}: {exc}"[:300]
    now = timezone.now()
    if not error:
        GatewayEvent.objects.filter(pk=event_id).update(delivered_at=now, attempts=event.attempts + 1, last_error="")
        return True
    attempts = event.attempts + 1
    logger.warning("Sandbox webhook %s (%s) not delivered: %s", event.pk, event.type, error)
    GatewayEvent.objects.filter(pk=event_id).update(
        attempts=attempts,
        last_error=error,
        next_attempt_at=now + timedelta(seconds=min(5 * 2**attempts, 3600)),
    )
    return False


def deliver_due(limit: int = 100) -> int:
    """Periodic job: retry undelivered events whose time has come. Returns how many went through."""
    from zizhu.payments.sandbox_gateway.models import GatewayEvent

    due = GatewayEvent.objects.filter(
        delivered_at=None, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at")
    return sum(1 for event_id in list(due.values_list("pk", flat=True)[:limit]) if deliver(event_id))
