"""Payments API: own payments only, confirm with a card token under an Idempotency-Key, 3-D Secure."""

from __future__ import annotations

import pytest

from tests.payments.conftest import CARDS, deliver_all
from zizhu.core.models import IdempotencyKey, OutboxEvent
from zizhu.payments import access
from zizhu.payments.models import Payment
from zizhu.payments.sandbox_gateway.models import GatewayIntent


def card_token(client, card: str = CARDS["success"]) -> str:
    response = client.post(
        "/sandbox-gateway/v1/tokens", {"number": card, "expiry": "12/34", "cvc": "123"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["last4"] == card[-4:]
    return response.json()["token"]


def confirm(client, payment, token: str | dict | None, key: str = "key-1"):
    """``token``: a card token, or the whole body (e.g. ``{"saved_card": 12}``)."""
    body = token if isinstance(token, dict) else {"token": token} if token else {}
    return client.post(
        f"/api/v1/payments/{payment.number}/confirm",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


@pytest.mark.smoke
def test_get_own_payment_and_404_for_anyone_else(client, customer, other_customer, payment):
    client.force_login(customer)
    response = client.get(f"/api/v1/payments/{payment.number}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == payment.number and body["status"] == "created"
    assert body["amount"] == {"amount": "199.00", "currency": "CNY"}
    client.force_login(other_customer)
    assert client.get(f"/api/v1/payments/{payment.number}").status_code == 404
    assert confirm(client, payment, None).status_code == 404
    for bad in ("P123", "nonsense", "P" + "9" * 16, "%00"):
        assert client.get(f"/api/v1/payments/{bad}").status_code == 404
    client.logout()
    assert client.get(f"/api/v1/payments/{payment.number}").status_code == 401


@pytest.mark.smoke
def test_guest_sees_only_payments_granted_to_the_session(client, make_payment):
    guest_payment = make_payment(customer=None)
    client.get("/")  # a session
    assert client.get(f"/api/v1/payments/{guest_payment.number}").status_code in (401, 404)
    client.get(access.pay_link(guest_payment.number))
    assert client.get(f"/api/v1/payments/{guest_payment.number}").status_code == 200


@pytest.mark.smoke
def test_confirm_with_token_pays_once_and_replays(client, customer, payment):
    client.force_login(customer)
    token = card_token(client)
    first = confirm(client, payment, token)
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "succeeded" and first.json()["card_last4"] == "4242"
    again = confirm(client, payment, token)
    assert again.status_code == 200 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert GatewayIntent.objects.get().status == "succeeded"
    deliver_all()
    assert OutboxEvent.objects.filter(topic="payment.succeeded").count() == 1
    different = confirm(client, payment, card_token(client))
    assert different.status_code == 422 and different.json()["code"] == "idempotency_key_reused"


@pytest.mark.smoke
def test_confirm_three_d_secure_answers_next_action(client, customer, payment):
    client.force_login(customer)
    response = confirm(client, payment, card_token(client, CARDS["3ds"]))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "requires_action"
    assert body["next_action"]["type"] == "redirect"
    assert body["next_action"]["url"].startswith("http://testserver/sandbox-gateway/3ds/")


@pytest.mark.smoke
def test_declined_token_is_recorded_and_replayed(client, customer, payment):
    client.force_login(customer)
    response = confirm(client, payment, card_token(client, CARDS["decline"]))
    assert response.status_code == 200 and response.json()["status"] == "failed"
    assert response.json()["failure_code"] == "card_declined"
    reused = confirm(client, payment, card_token(client, CARDS["success"]), key="key-2")
    assert reused.status_code == 409 and reused.json()["code"] == "payment_closed"  # a closed payment stays closed
    payment.refresh_from_db()
    assert payment.status == "failed" and payment.captured_amount == 0


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("headers", "body", "code"),
    [
        ({}, {"token": "tok_abcdefgh"}, "idempotency_key_missing"),
        ({"Idempotency-Key": "x" * 256}, {"token": "tok_abcdefgh"}, "idempotency_key_invalid"),
        ({"Idempotency-Key": "naïve"}, {"token": "tok_abcdefgh"}, "idempotency_key_invalid"),
        ({"Idempotency-Key": "k"}, {"token": "4242424242424242"}, "invalid"),
        ({"Idempotency-Key": "k"}, {"token": 5}, "invalid"),
        ({"Idempotency-Key": "k2"}, {"token": "tok_unknown_token_x"}, "token_invalid"),
    ],
)
def test_bad_confirm_requests_are_422_and_change_nothing(client, customer, payment, headers, body, code):
    client.force_login(customer)
    response = client.post(
        f"/api/v1/payments/{payment.number}/confirm", body, content_type="application/json", headers=headers
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == code
    payment.refresh_from_db()
    assert payment.status in (Payment.Status.CREATED, Payment.Status.REQUIRES_ACTION)


@pytest.mark.smoke
def test_confirm_needs_csrf_for_browser_sessions(customer, payment):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer)
    response = browser.post(
        f"/api/v1/payments/{payment.number}/confirm",
        {},
        content_type="application/json",
        headers={"Idempotency-Key": "a"},
    )
    assert response.status_code in (401, 403)
    assert not IdempotencyKey.objects.exists()


@pytest.mark.smoke
def test_tokens_endpoint_rejects_bad_cards(client):
    response = client.post(
        "/sandbox-gateway/v1/tokens",
        {"number": "4242 4242 4242 4241", "expiry": "12/34", "cvc": "123"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "number" in response.json()["fields"]
    assert client.post("/sandbox-gateway/v1/tokens", "[1]", content_type="application/json").status_code == 422


@pytest.mark.smoke
def test_unused_card_tokens_expire_after_an_hour(client, db):
    from datetime import timedelta

    from django.utils import timezone

    from zizhu.payments.sandbox_gateway.api import purge_unused_tokens
    from zizhu.payments.sandbox_gateway.models import GatewayCard

    old, fresh = card_token(client), card_token(client)
    GatewayCard.objects.filter(pk=old).update(created_at=timezone.now() - timedelta(hours=2))
    assert purge_unused_tokens() == 1
    assert list(GatewayCard.objects.values_list("pk", flat=True)) == [fresh]


@pytest.mark.smoke
def test_csrf_exempt_tokens_endpoint_changes_no_shop_data(db):
    """The gateway's tokenisation endpoint is cross-site by design (CSRF-exempt); it only answers a token."""
    from django.test import Client

    from zizhu.payments.models import Payment

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/sandbox-gateway/v1/tokens",
        {"number": "4242 4242 4242 4242", "expiry": "12/34", "cvc": "123"},
        content_type="application/json",
    )
    assert response.status_code in (200, 201) and "4242 4242 4242 4242" not in response.content.decode()
    assert Payment.objects.count() == 0
