"""Refunds: partial and full, never more than captured (also concurrently), provider failures released."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from tests.payments.conftest import CARDS, deliver_all, pay_on_hosted_page
from zizhu.core.errors import InvalidInput
from zizhu.core.models import OutboxEvent
from zizhu.core.money import Money
from zizhu.payments import services
from zizhu.payments.models import Payment, Refund
from zizhu.payments.providers.base import ProviderError
from zizhu.payments.sandbox_gateway.models import GatewayIntent, GatewayRefund


@pytest.fixture
def paid(client, payment):
    pay_on_hosted_page(client, payment, CARDS["success"])
    payment = services.sync_payment(payment=payment)
    assert payment.status == Payment.Status.SUCCEEDED
    return payment


@pytest.mark.smoke
def test_partial_then_full_refund(paid):
    first = services.refund_payment(payment=paid, amount=Money.of("50.00"), reason="one item returned")
    assert first.status == Refund.Status.SUCCEEDED and first.provider_refund_id.startswith("re_")
    paid.refresh_from_db()
    assert paid.status == Payment.Status.PARTIALLY_REFUNDED and paid.refunded_amount == Decimal("50.00")
    second = services.refund_payment(payment=paid, amount=Money.of("149.00"))
    paid.refresh_from_db()
    assert second.status == Refund.Status.SUCCEEDED and paid.status == Payment.Status.REFUNDED
    assert GatewayIntent.objects.get().amount_refunded == Decimal("199.00")
    payloads = [e.payload for e in OutboxEvent.objects.filter(topic="payment.refunded").order_by("id")]
    assert [p["amount"] for p in payloads] == ["50.00", "149.00"]
    assert payloads[-1]["fully_refunded"] is True and payloads[-1]["refunded_total"] == "199.00"
    deliver_all()  # the gateway's refund webhooks change nothing more
    assert OutboxEvent.objects.filter(topic="payment.refunded").count() == 2


@pytest.mark.smoke
@pytest.mark.parametrize("amount", ["199.01", "0", "-5"])
def test_refund_beyond_captured_or_not_positive_is_refused(paid, amount):
    with pytest.raises(InvalidInput):
        services.refund_payment(payment=paid, amount=Money.of(amount))
    paid.refresh_from_db()
    assert paid.refunded_amount == 0 and not Refund.objects.exists() and not GatewayRefund.objects.exists()


@pytest.mark.smoke
def test_refund_in_another_currency_or_of_an_unpaid_payment_is_refused(paid, make_payment):
    with pytest.raises(InvalidInput):
        services.refund_payment(payment=paid, amount=Money.of("1.00", "USD"))
    with pytest.raises(InvalidInput):
        services.refund_payment(payment=make_payment(), amount=Money.of("1.00"))


@pytest.mark.smoke
def test_database_refuses_refunded_above_captured(paid):
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=paid.pk).update(refunded_amount=Decimal("199.01"))


@pytest.mark.smoke
def test_provider_refusal_releases_the_reservation(paid, monkeypatch):
    from zizhu.payments.providers.sandbox import SandboxProvider

    def refuse(self, **kwargs):
        raise ProviderError("amount_too_large")

    monkeypatch.setattr(SandboxProvider, "refund", refuse)
    refund = services.refund_payment(payment=paid, amount=Money.of("10.00"))
    assert refund.status == Refund.Status.FAILED
    paid.refresh_from_db()
    assert paid.refunded_amount == 0 and paid.status == Payment.Status.SUCCEEDED


@pytest.mark.smoke
def test_refund_left_pending_by_a_crash_is_sent_again_once(paid, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from zizhu.payments.providers.sandbox import SandboxProvider

    def unreachable(self, **kwargs):
        raise ProviderError("timeout", retryable=True)

    with monkeypatch.context() as patch:
        patch.setattr(SandboxProvider, "refund", unreachable)
        refund = services.refund_payment(payment=paid, amount=Money.of("20.00"))
    assert refund.status == Refund.Status.PENDING
    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert services.retry_pending_refunds() == 1
    assert services.retry_pending_refunds() == 0
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and GatewayRefund.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_60_percent_refunds_exactly_one_succeeds(client, make_payment):
    payment = make_payment("100.00")
    pay_on_hosted_page(client, payment, CARDS["success"])
    payment = services.sync_payment(payment=payment)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def refund() -> None:
        try:
            barrier.wait(timeout=10)
            services.refund_payment(payment=Payment.objects.get(pk=payment.pk), amount=Money.of("60.00"))
            results.append("ok")
        except InvalidInput:
            results.append("refused")
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=refund) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["ok", "refused"]
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("60.00") and payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert Refund.objects.filter(status=Refund.Status.SUCCEEDED).count() == 1
    assert GatewayIntent.objects.get().amount_refunded == Decimal("60.00")


@pytest.mark.smoke
def test_refund_webhook_confirms_a_pending_refund_and_checks_its_amount(client, paid, monkeypatch):
    import time

    from tests.payments.conftest import signed_post
    from zizhu.payments.providers.sandbox import SandboxProvider

    def unreachable(self, **kwargs):
        raise ProviderError("timeout", retryable=True)

    with monkeypatch.context() as patch:
        patch.setattr(SandboxProvider, "refund", unreachable)
        refund = services.refund_payment(payment=paid, amount=Money.of("30.00"))
    assert refund.status == Refund.Status.PENDING

    def event(amount: str, event_id: str) -> dict:
        return {
            "id": event_id,
            "type": "refund.succeeded",
            "created": int(time.time()),
            "data": {
                "id": paid.provider_intent_id,
                "status": "succeeded",
                "amount": "199.00",
                "currency": "CNY",
                "amount_captured": "199.00",
                "refund": {"id": "re_x", "amount": amount, "status": "succeeded", "merchant_key": refund.number},
            },
        }

    assert signed_post(client, event("31.00", "evt_r1")).json()["outcome"] == "flagged"
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PENDING
    assert signed_post(client, event("30.00", "evt_r2")).json()["outcome"] == "refunded"
    refund.refresh_from_db()
    paid.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and paid.status == Payment.Status.PARTIALLY_REFUNDED


@pytest.mark.smoke
def test_every_refund_is_audited_once_and_staff_need_the_permission(paid, make_user):
    from django.contrib.auth.models import Group

    from zizhu.accounts.models import AuditRecord
    from zizhu.core.errors import PermissionDenied

    warehouse = make_user("picker@example.com", is_staff=True)
    warehouse.groups.add(Group.objects.get(name="warehouse"))
    with pytest.raises(PermissionDenied):
        services.refund_payment(payment=paid, amount=Money.of("10.00"), staff=warehouse)
    assert AuditRecord.objects.filter(action="payment.refund").count() == 0

    finance = make_user("money@example.com", is_staff=True)
    finance.groups.add(Group.objects.get(name="finance"))
    refund = services.refund_payment(payment=paid, amount=Money.of("10.00"), reason="damaged", staff=finance)
    automatic = services.refund_payment(payment=paid, amount=Money.of("5.00"), reason="customer cancelled")
    records = AuditRecord.objects.filter(action="payment.refund").order_by("id")
    assert [(r.actor_id, r.target_id) for r in records] == [(finance.pk, str(refund.pk)), (None, str(automatic.pk))]
    assert refund.number in records[0].summary and "damaged" in records[0].summary
