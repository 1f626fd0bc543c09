"""Payments fixtures: a payment to pay, the sandbox gateway's webhooks delivered through the test client."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping

import pytest
from django.test import Client

from tests.ordering import category, shirt, tee_m  # noqa: F401  (an item to order, for orders' payments)
from zizhu.core.money import Money
from zizhu.payments import services
from zizhu.payments.sandbox_gateway import delivery
from zizhu.payments.sandbox_gateway.models import GatewayEvent

SECRET = "whsec_test_current_0123456789"
OLD_SECRET = "whsec_test_previous_9876543210"
RETURN_URL = "http://testserver/pay/return"
NOTIFY_URL = "http://testserver/api/v1/payments/webhooks/sandbox"
WEBHOOK_PATH = "/api/v1/payments/webhooks/sandbox"
CARDS = {
    "success": "4242 4242 4242 4242",
    "decline": "4000 0000 0000 0002",
    "insufficient": "4000 0000 0000 9995",
    "3ds": "4000 0000 0000 3220",
}

delivered: list[tuple[str, int]] = []


def client_send(url: str, body: bytes, headers: Mapping[str, str]) -> int:
    """The gateway's webhook sender in tests: Django's test client instead of HTTP."""
    extra = {k: v for k, v in headers.items() if k != "Content-Type"}
    response = Client().post(WEBHOOK_PATH, body, content_type="application/json", headers=extra)
    delivered.append((url, response.status_code))
    return response.status_code


@pytest.fixture(autouse=True)
def payment_settings(settings):
    settings.PAYMENTS_SANDBOX_WEBHOOK_SECRETS = [SECRET, OLD_SECRET]
    settings.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS = 300
    settings.PAYMENTS_SANDBOX_WEBHOOK_DELIVERY = "manual"
    settings.PAYMENTS_SANDBOX_WEBHOOK_SENDER = "tests.payments.conftest.client_send"
    settings.PAYMENTS_SANDBOX_WEBHOOK_URL = ""
    delivered.clear()
    return settings


def deliver_all() -> int:
    """Deliver every webhook the gateway has recorded and not yet delivered, oldest first."""
    ids = list(GatewayEvent.objects.filter(delivered_at=None).order_by("created_at", "pk").values_list("pk", flat=True))
    for event_id in ids:
        assert delivery.deliver(event_id), f"webhook {event_id} was refused"
    return len(ids)


def signed_post(client: Client, payload: dict | bytes, *, secret: str = SECRET, timestamp: int | None = None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    header = delivery.signature_header(body, secret, int(time.time()) if timestamp is None else timestamp)
    return client.post(WEBHOOK_PATH, body, content_type="application/json", headers={"Zizhu-Signature": header})


@pytest.fixture
def make_payment(db):
    def make(amount: str = "199.00", *, customer=None, reference: str = "O1234567890123452", currency: str = "CNY"):
        return services.create_payment(reference=reference, amount=Money.of(amount, currency), customer=customer)

    return make


@pytest.fixture
def payment(make_payment, customer):
    return make_payment(customer=customer)


def start(payment, method: str = "card"):
    return services.start_payment(payment=payment, method=method, return_url=RETURN_URL, notify_url=NOTIFY_URL)


def pay_on_hosted_page(
    client: Client, payment, card: str, *, expiry: str = "12/34", cvc: str = "123", save: bool = False
):
    """Start a card payment and type the card on the gateway's page, as the customer does
    (``save``: ticking "save this card for next time")."""
    step = start(payment)
    form = {"number": card, "expiry": expiry, "cvc": cvc, "name": "Alice", **({"save_card": "1"} if save else {})}
    return client.post(step.url, form)
