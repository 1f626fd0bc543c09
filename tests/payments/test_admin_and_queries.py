"""Back office (read-mostly, refund action), cancelling, CSRF on the webhook, query counts of hot paths."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from tests.payments.conftest import CARDS, pay_on_hosted_page, signed_post, start
from zizhu.core.models import OutboxEvent
from zizhu.payments import services
from zizhu.payments.models import Payment, Refund
from zizhu.payments.sandbox_gateway.models import GatewayIntent


@pytest.fixture
def staff(make_user):
    return make_user("finance@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def paid(client, payment):
    pay_on_hosted_page(client, payment, CARDS["success"])
    return services.sync_payment(payment=payment)


@pytest.mark.smoke
def test_back_office_lists_payments_read_only_and_refunds_through_the_service(client, staff, paid):
    client.force_login(staff)
    listing = client.get("/backoffice/payments/payment/")
    assert listing.status_code == 200 and paid.number in listing.content.decode()
    detail = client.get(f"/backoffice/payments/payment/{paid.pk}/change/")
    assert detail.status_code == 200
    assert 'name="amount"' not in detail.content.decode()  # nothing to edit
    assert client.get("/backoffice/payments/payment/add/").status_code == 403
    response = client.post(
        "/backoffice/payments/payment/",
        {"action": "refund_remaining", "_selected_action": [paid.pk]},
    )
    assert response.status_code == 302
    paid.refresh_from_db()
    assert paid.status == Payment.Status.REFUNDED
    refund = Refund.objects.get()
    assert refund.requested_by == staff and refund.status == Refund.Status.SUCCEEDED
    assert client.get("/backoffice/payments/refund/").status_code == 200
    assert client.get("/backoffice/payments/webhookevent/").status_code == 200


@pytest.mark.smoke
def test_cancel_an_unpaid_payment(payment):
    start(payment)
    payment = services.cancel_payment(payment=payment)
    assert payment.status == Payment.Status.CANCELLED
    assert GatewayIntent.objects.get().status == "canceled"
    assert OutboxEvent.objects.filter(topic="payment.cancelled").count() == 1


@pytest.mark.smoke
def test_cancel_without_intent_and_cancel_after_payment(make_payment, paid):
    fresh = services.cancel_payment(payment=make_payment())
    assert fresh.status == Payment.Status.CANCELLED
    assert services.cancel_payment(payment=paid).status == Payment.Status.SUCCEEDED  # paid stays paid


@pytest.mark.smoke
def test_webhook_needs_no_csrf_token_but_a_signature(payment):
    from tests.payments.test_webhooks import intent_event

    start(payment)
    payment.refresh_from_db()
    strict = Client(enforce_csrf_checks=True)
    assert signed_post(strict, intent_event(payment)).status_code == 200


@pytest.mark.smoke
def test_hot_paths_have_a_fixed_number_of_queries(client, customer, paid, django_assert_max_num_queries):
    from zizhu.core.money import Money

    for amount in ("1.00", "2.00", "3.00"):
        services.refund_payment(payment=paid, amount=Money.of(amount))
    client.force_login(customer)
    with django_assert_max_num_queries(4):  # session, user, payment, refunds (however many)
        response = client.get(f"/api/v1/payments/{paid.number}")
    assert response.status_code == 200 and len(response.json()["refunds"]) == 3
    with django_assert_max_num_queries(3):  # the live status poll, every 2 s: session, user, payment
        assert client.get(f"/pay/{paid.number}/status/", HTTP_HX_REQUEST="true").status_code == 200


@pytest.mark.smoke
def test_back_office_partial_refund_form(client, staff, paid):
    client.force_login(staff)
    detail = client.get(f"/backoffice/payments/payment/{paid.pk}/change/")
    assert f"/backoffice/payments/payment/{paid.pk}/refund/" in detail.content.decode()
    url = f"/backoffice/payments/payment/{paid.pk}/refund/"
    assert client.get(url).status_code == 200
    too_much = client.post(url, {"amount": "500.00", "reason": "x"})
    assert too_much.status_code == 200 and b"199" in too_much.content
    assert not Refund.objects.exists()
    done = client.post(url, {"amount": "19.90", "reason": "scratched"})
    assert done.status_code == 302
    paid.refresh_from_db()
    assert paid.status == Payment.Status.PARTIALLY_REFUNDED and paid.refunded_amount == Decimal("19.90")


@pytest.mark.smoke
def test_refund_form_needs_the_permission(client, make_user, paid):
    clerk = make_user("clerk@example.com", is_staff=True)
    client.force_login(clerk)
    assert client.get(f"/backoffice/payments/payment/{paid.pk}/refund/").status_code == 403
