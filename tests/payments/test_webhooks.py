"""Webhooks: signatures, replay window, rotation, deduplication, amounts, order of arrival."""

from __future__ import annotations

import json
import time

import pytest

from tests.payments.conftest import CARDS, OLD_SECRET, SECRET, pay_on_hosted_page, signed_post, start
from zizhu.core.models import OutboxEvent
from zizhu.payments import services
from zizhu.payments.models import Payment, WebhookEvent
from zizhu.payments.sandbox_gateway import delivery
from zizhu.payments.sandbox_gateway.models import GatewayEvent, GatewayIntent


def intent_event(payment: Payment, status: str = "succeeded", *, event_id: str = "evt_test_1", **overrides) -> dict:
    data = {
        "object": "payment_intent",
        "id": payment.provider_intent_id,
        "status": status,
        "amount": f"{payment.amount:.2f}",
        "currency": payment.currency,
        "amount_captured": f"{payment.amount:.2f}" if status == "succeeded" else "0.00",
        "amount_refunded": "0.00",
        "method": "card",
        "card": {"brand": "visa", "last4": "4242"},
        "failure_code": "card_declined" if status == "failed" else "",
    }
    data.update(overrides)
    return {"id": event_id, "type": f"payment_intent.{status}", "created": int(time.time()), "data": data}


@pytest.fixture
def started(payment):
    start(payment)
    payment.refresh_from_db()
    return payment


def assert_unchanged(payment: Payment) -> None:
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REQUIRES_ACTION
    assert not WebhookEvent.objects.exists()
    assert not OutboxEvent.objects.filter(topic__startswith="payment.").exists()


@pytest.mark.smoke
def test_valid_signature_is_accepted(client, started):
    response = signed_post(client, intent_event(started))
    assert response.status_code == 200 and response.json() == {"received": True, "outcome": "succeeded"}
    started.refresh_from_db()
    assert started.status == Payment.Status.SUCCEEDED


@pytest.mark.smoke
def test_unsigned_webhook_is_400(client, started):
    body = json.dumps(intent_event(started))
    response = client.post("/api/v1/payments/webhooks/sandbox", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "webhook_invalid"
    assert_unchanged(started)


@pytest.mark.smoke
@pytest.mark.parametrize(
    "header",
    ["", "t=abc,v1=00", "v1=abcdef", "t=1700000000", "garbage", "t=" + "9" * 30 + ",v1=aa", "x" * 5000],
    ids=["empty", "bad-t", "no-t", "no-v1", "garbage", "huge-t", "huge-header"],
)
def test_malformed_signature_header_is_400(client, started, header):
    body = json.dumps(intent_event(started)).encode()
    response = client.post(
        "/api/v1/payments/webhooks/sandbox", body, content_type="application/json", headers={"Zizhu-Signature": header}
    )
    assert response.status_code == 400
    assert_unchanged(started)


@pytest.mark.smoke
def test_altered_body_is_400(client, started):
    from zizhu.payments.sandbox_gateway.delivery import signature_header

    body = json.dumps(intent_event(started)).encode()
    header = signature_header(body, SECRET)
    altered = body.replace(b'"succeeded"', b'"failed"', 1)
    response = client.post(
        "/api/v1/payments/webhooks/sandbox",
        altered,
        content_type="application/json",
        headers={"Zizhu-Signature": header},
    )
    assert response.status_code == 400
    assert_unchanged(started)


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("offset", "accepted"), [(-301, False), (-290, True), (290, True), (305, False), (-86400, False)]
)
def test_timestamp_window_is_five_minutes_both_ways(client, started, offset, accepted):
    # +305, not +301: on a loaded machine a second or more passes between signing and checking,
    # which brings a future timestamp back inside the window (a past one only moves further out).
    response = signed_post(client, intent_event(started), timestamp=int(time.time()) + offset)
    assert response.status_code == (200 if accepted else 400)
    if not accepted:
        assert_unchanged(started)


@pytest.mark.smoke
def test_wrong_secret_is_400_and_previous_secret_still_works_during_rotation(client, started):
    assert signed_post(client, intent_event(started), secret="whsec_attacker_guess").status_code == 400
    assert_unchanged(started)
    assert signed_post(client, intent_event(started), secret=OLD_SECRET).status_code == 200
    started.refresh_from_db()
    assert started.status == Payment.Status.SUCCEEDED


@pytest.mark.smoke
def test_unreadable_but_signed_body_is_400(client, started):
    assert signed_post(client, b"not json").status_code == 400
    assert signed_post(client, {"id": "evt_x", "type": "x"}).status_code == 400
    assert signed_post(client, intent_event(started, amount=12.5)).status_code == 400  # amounts are strings
    assert_unchanged(started)


@pytest.mark.smoke
@pytest.mark.parametrize(
    "saved_card",
    [
        {"id": "pm_1", "exp_month": 1, "exp_year": 10**30, "brand": "visa", "last4": "4242"},
        {"id": "pm_1", "exp_month": 13, "exp_year": 2030, "brand": "visa", "last4": "4242"},
        {"id": "pm_1", "exp_month": True, "exp_year": 2030, "brand": "visa", "last4": "4242"},
        {"id": "pm_1", "exp_month": 1, "exp_year": -2030, "brand": "visa", "last4": "4242"},
    ],
    ids=["huge-year", "month-13", "bool-month", "negative-year"],
)
def test_signed_event_with_an_impossible_card_expiry_is_400(client, started, saved_card):
    response = signed_post(client, intent_event(started, saved_card=saved_card))
    assert response.status_code == 400
    assert_unchanged(started)


@pytest.mark.smoke
def test_duplicate_event_id_is_handled_once(client, started):
    assert signed_post(client, intent_event(started)).json()["outcome"] == "succeeded"
    again = signed_post(client, intent_event(started))
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    assert WebhookEvent.objects.count() == 1
    assert OutboxEvent.objects.filter(topic="payment.succeeded").count() == 1


@pytest.mark.smoke
@pytest.mark.parametrize(
    "override",
    [{"amount": "1.00", "amount_captured": "1.00"}, {"currency": "USD"}, {"amount_captured": "100.00"}],
    ids=["amount", "currency", "captured"],
)
def test_amount_or_currency_mismatch_flags_the_payment_and_does_not_pay_it(client, started, override):
    response = signed_post(client, intent_event(started, **override))
    assert response.status_code == 200 and response.json()["outcome"] == "flagged"
    started.refresh_from_db()
    assert started.status == Payment.Status.REQUIRES_ACTION and started.flagged and started.flag_reason
    assert not OutboxEvent.objects.filter(topic="payment.succeeded").exists()
    assert OutboxEvent.objects.filter(topic="payment.flagged").count() == 1


@pytest.mark.smoke
def test_late_failed_after_succeeded_is_ignored_and_logged(client, started, caplog):
    signed_post(client, intent_event(started, "succeeded", event_id="evt_a"))
    response = signed_post(client, intent_event(started, "failed", event_id="evt_b"))
    assert response.json()["outcome"] == "ignored"
    started.refresh_from_db()
    assert started.status == Payment.Status.SUCCEEDED
    assert "ignored failed" in caplog.text
    assert not OutboxEvent.objects.filter(topic="payment.failed").exists()
    assert started.events.filter(kind="ignored").exists()


@pytest.mark.smoke
def test_requires_action_arriving_after_success_does_not_move_back(client, started):
    signed_post(client, intent_event(started, "succeeded", event_id="evt_a"))
    signed_post(client, intent_event(started, "requires_action", event_id="evt_b"))
    started.refresh_from_db()
    assert started.status == Payment.Status.SUCCEEDED


@pytest.mark.smoke
def test_unknown_intent_is_acknowledged_and_changes_nothing(client, started):
    event = intent_event(started)
    event["data"]["id"] = "pi_unknown"
    assert signed_post(client, event).json()["outcome"] == "unknown_intent"
    started.refresh_from_db()
    assert started.status == Payment.Status.REQUIRES_ACTION


@pytest.mark.smoke
def test_webhook_before_the_customer_returns_twice_and_out_of_order_pays_once(client, payment):
    """3-D Secure: requires_action and succeeded webhooks delivered in reverse order, twice, before the return."""
    response = pay_on_hosted_page(client, payment, CARDS["3ds"])
    intent = GatewayIntent.objects.get()
    client.post(response["Location"], {"code": intent.challenge_code, "action": "verify"})
    gateway_events = list(GatewayEvent.objects.order_by("created_at"))
    assert [e.type for e in gateway_events] == ["payment_intent.requires_action", "payment_intent.succeeded"]
    for event in reversed(gateway_events):  # succeeded first, then the stale requires_action
        assert delivery.deliver(event.pk)
    for event in gateway_events:  # a redelivery of both
        GatewayEvent.objects.filter(pk=event.pk).update(delivered_at=None)
        assert delivery.deliver(event.pk)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    # The customer comes back last: nothing changes.
    assert services.sync_payment(payment=payment).status == Payment.Status.SUCCEEDED
    assert OutboxEvent.objects.filter(topic="payment.succeeded").count() == 1
    assert WebhookEvent.objects.count() == 2


failures = {"left": 0}


def flaky_send(url, body, headers):
    """The shop is unreachable for the first attempts."""
    if failures["left"] > 0:
        failures["left"] -= 1
        raise ConnectionRefusedError("shop is down")
    from tests.payments.conftest import client_send

    return client_send(url, body, headers)


@pytest.mark.smoke
def test_failed_delivery_is_retried_by_the_periodic_job(client, payment, settings):
    from django.utils import timezone

    settings.PAYMENTS_SANDBOX_WEBHOOK_SENDER = "tests.payments.test_webhooks.flaky_send"
    failures["left"] = 1
    pay_on_hosted_page(client, payment, CARDS["success"])
    event = GatewayEvent.objects.get()
    assert delivery.deliver(event.pk) is False
    event.refresh_from_db()
    assert event.attempts == 1 and "shop is down" in event.last_error and event.next_attempt_at > timezone.now()
    assert delivery.deliver_due() == 0  # not due yet
    GatewayEvent.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver_due() == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_webhooks_are_delivered_after_commit_without_help(client, make_payment, settings):
    """The inline delivery path: the gateway's outbox delivers right after its transaction commits."""
    settings.PAYMENTS_SANDBOX_WEBHOOK_DELIVERY = "inline"
    payment = make_payment()
    pay_on_hosted_page(client, payment, CARDS["success"])
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED  # by the webhook alone: nobody synced
    assert GatewayEvent.objects.get().delivered_at is not None


@pytest.mark.django_db(transaction=True)
def test_webhooks_go_through_the_celery_task(client, make_payment, settings):
    """Production's path: a Celery task per event (run eagerly here, as in the embedded profile)."""
    from zizhu.config.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscovers every tasks.py
    assert "zizhu.payments.tasks.deliver_sandbox_webhook" in app.tasks
    settings.PAYMENTS_SANDBOX_WEBHOOK_DELIVERY = "celery"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    payment = make_payment()
    pay_on_hosted_page(client, payment, CARDS["success"])
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED


def _in_threads(functions) -> list[object]:
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(functions))
    results: list[object] = []

    def run(function) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(function())
        except Exception as exc:  # noqa: BLE001 (reported to the test)
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_webhook_delivered_by_parallel_connections_is_handled_once(make_payment):
    from django.test import Client

    payment = make_payment()
    start(payment)
    payment.refresh_from_db()
    event = intent_event(payment, event_id="evt_parallel")
    results = _in_threads([lambda: signed_post(Client(), event).json()["outcome"] for _ in range(6)])
    assert sorted(results) == ["duplicate"] * 5 + ["succeeded"]
    assert OutboxEvent.objects.filter(topic="payment.succeeded").count() == 1
    assert WebhookEvent.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_webhooks_and_customer_returns_racing_pay_once(client, make_payment):
    """The success arrives by two distinct webhook events and three customer returns at the same moment."""
    from django.test import Client

    payment = make_payment()
    pay_on_hosted_page(client, payment, CARDS["success"])
    payment.refresh_from_db()
    calls = [
        lambda n=n: signed_post(Client(), intent_event(payment, event_id=f"evt_{n}")).status_code for n in range(2)
    ]
    calls += [lambda: services.sync_payment(payment=Payment.objects.get(pk=payment.pk)).status for _ in range(3)]
    results = _in_threads(calls)
    assert not [r for r in results if isinstance(r, Exception)], results
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert OutboxEvent.objects.filter(topic="payment.succeeded").count() == 1
    assert WebhookEvent.objects.count() == 2  # two distinct events, both recorded, one effect
