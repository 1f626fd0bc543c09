"""Staff review of payments held by the risk score: authorise only, then approve (capture, order paid)
or reject (void, order cancelled, stock released); roles, own payments, idempotent decisions, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from tests.payments.conftest import deliver_all
from tests.payments.risk.helpers import api_confirm, card_token, code_from_mail, place
from zizhu.accounts.models import AuditRecord
from zizhu.core import events
from zizhu.core.errors import Conflict, PermissionDenied
from zizhu.inventory import selectors as stock
from zizhu.notifications.models import InboxMessage
from zizhu.orders import services as orders
from zizhu.orders.models import Order
from zizhu.payments.models import Payment
from zizhu.payments.risk import selectors as risk_selectors
from zizhu.payments.risk import services as risk
from zizhu.payments.risk.models import RiskAssessment
from zizhu.payments.sandbox_gateway.models import GatewayIntent

pytestmark = pytest.mark.django_db
ALWAYS_REVIEW = {"ZIZHU_RISK_CHALLENGE_THRESHOLD": 0, "ZIZHU_RISK_REVIEW_THRESHOLD": 0}


@pytest.fixture
def make_staff(make_user):
    def make(*roles: str, email: str | None = None):
        user = make_user(email, is_staff=True)
        user.groups.set(Group.objects.filter(name__in=roles))
        return user

    return make


def authorised_order(client, customer, variant) -> tuple[Order, Payment]:
    """A signed-in customer places an order and pays through the API: factor given, card authorised."""
    order = place(customer, variant)
    client.force_login(customer)
    token = card_token(client)
    assert api_confirm(client, order.payment_number, token).json()["code"] == "second_factor_required"
    client.post(f"/api/v1/payments/{order.payment_number}/second-factor/send")
    code = code_from_mail(mail.outbox)
    client.post(
        f"/api/v1/payments/{order.payment_number}/second-factor", {"code": code}, content_type="application/json"
    )
    response = api_confirm(client, order.payment_number, token, key="after-factor")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "authorized" and response.json()["review"] == "held"
    deliver_all()
    events.dispatch_pending()
    mail.outbox.clear()
    return order, Payment.objects.get(number=order.payment_number)


@pytest.mark.smoke
@override_settings(**ALWAYS_REVIEW)
def test_held_payment_waits_and_approval_captures_and_pays_the_order(client, customer, make_staff, tee_m):
    order, payment = authorised_order(client, customer, tee_m)
    assert payment.status == Payment.Status.AUTHORIZED and payment.captured_amount == 0
    assert GatewayIntent.objects.get(pk=payment.provider_intent_id).status == "requires_capture"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    # The customer sees it is being reviewed, on the order page and the payment result page.
    order_page = client.get(f"/orders/{order.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "being reviewed" in order_page
    assert "Waiting for your payment" not in order_page and 'hx-trigger="every 30s"' in order_page
    client.cookies["zizhu_lang"] = "en"
    assert "Payment being reviewed" in client.get(f"/pay/{payment.number}/result/").content.decode()
    # Not cancelled as "unpaid" while staff decide.
    assert orders.expire_unpaid(now=timezone.now() + timedelta(hours=3)) == 0

    finance = make_staff("finance")
    queue = list(risk_selectors.review_queue(staff=finance))
    assert [a.payment_id for a in queue] == [payment.pk]

    risk.approve(payment=payment, staff=finance, note="called the customer")
    deliver_all()
    events.dispatch_pending()
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.captured_amount == payment.amount
    assert order.status == Order.Status.PAID
    assessment = RiskAssessment.objects.get(payment=payment)
    assert assessment.review == "approved" and assessment.decided_by == finance
    assert assessment.decision_note == "called the customer"
    assert AuditRecord.objects.filter(action="payment.review_approved", target_id=str(payment.pk)).count() == 1
    [told] = [m for m in mail.outbox if payment.number in m.subject]
    assert told.to == ["alice@example.com"] and "已通过审核" in told.subject and order.number in told.body
    [note] = InboxMessage.objects.filter(customer=customer)
    assert payment.number in note.subject and note.link.startswith(f"/orders/{order.number}/")
    assert list(risk_selectors.review_queue(staff=finance)) == []

    # Idempotent: approving again changes nothing and writes no second audit record; rejecting now is refused.
    risk.approve(payment=payment, staff=finance)
    assert AuditRecord.objects.filter(action="payment.review_approved").count() == 1
    with pytest.raises(Conflict):
        risk.reject(payment=payment, staff=make_staff("customer_service"))


@override_settings(**ALWAYS_REVIEW)
def test_rejection_voids_cancels_the_order_and_releases_stock(client, customer, make_staff, tee_m):
    order, payment = authorised_order(client, customer, tee_m)
    assert stock.totals(variant_id=tee_m.pk)["allocated"] == 2
    service = make_staff("customer_service")
    risk.reject(payment=payment, staff=service, note="stolen card reported")
    events.dispatch_pending()
    deliver_all()
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED and payment.captured_amount == 0
    assert GatewayIntent.objects.get(pk=payment.provider_intent_id).status == "canceled"
    assert order.status == Order.Status.CANCELLED
    assert stock.totals(variant_id=tee_m.pk)["allocated"] == 0
    assert AuditRecord.objects.filter(action="payment.review_rejected", target_id=str(payment.pk)).count() == 1
    [told] = [m for m in mail.outbox if payment.number in m.subject]
    assert told.to == ["alice@example.com"] and "未通过审核" in told.subject
    assert InboxMessage.objects.get(customer=customer).subject == told.subject
    body = client.get(f"/api/v1/payments/{payment.number}").json()
    assert body["status"] == "cancelled" and body["review"] == "rejected"
    assert "could not accept" in client.get(f"/orders/{order.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    risk.reject(payment=payment, staff=service)  # a repeat: nothing more
    assert AuditRecord.objects.filter(action="payment.review_rejected").count() == 1
    with pytest.raises(Conflict):
        risk.approve(payment=payment, staff=make_staff("finance"))


@override_settings(**ALWAYS_REVIEW)
def test_only_reviewers_decide_and_never_on_their_own_payment(client, customer, make_staff, make_user, tee_m):
    _order, payment = authorised_order(client, customer, tee_m)
    for outsider in (make_staff("warehouse"), make_staff("merchandiser"), make_user()):
        with pytest.raises(PermissionDenied):
            risk.approve(payment=payment, staff=outsider)
        with pytest.raises(PermissionDenied):
            risk_selectors.review_queue(staff=outsider)
    # A finance employee who is also this customer cannot approve their own payment.
    customer.is_staff = True
    customer.save()
    customer.groups.set(Group.objects.filter(name="finance"))
    with pytest.raises(PermissionDenied):
        risk.approve(payment=payment, staff=customer)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.AUTHORIZED
    assert RiskAssessment.objects.get(payment=payment).review == "held"
    assert not AuditRecord.objects.filter(action__startswith="payment.review").exists()


@override_settings(**ALWAYS_REVIEW)
def test_customer_cancelling_a_held_order_voids_the_authorisation(
    client, customer, tee_m, django_capture_on_commit_callbacks
):
    order, payment = authorised_order(client, customer, tee_m)
    with django_capture_on_commit_callbacks(execute=True):
        orders.cancel_order(order=order, actor=customer)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED
    assert GatewayIntent.objects.get(pk=payment.provider_intent_id).status == "canceled"


@override_settings(**ALWAYS_REVIEW)
def test_back_office_queue_lists_reasons_and_decides(client, customer, make_staff, tee_m):
    _order, payment = authorised_order(client, customer, tee_m)
    assessment = RiskAssessment.objects.get(payment=payment)
    assessment.signals = [{"code": "velocity", "weight": 30, "params": {"count": 4, "minutes": 10}}]
    assessment.save()
    finance = make_staff("finance")
    client.force_login(finance)
    client.cookies["zizhu_lang"] = "en"
    listing = client.get("/backoffice/payments/riskassessment/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert payment.number in text and "4 other payment attempts in the last 10 minutes." in text
    detail = client.get(f"/backoffice/payments/riskassessment/{assessment.pk}/change/").content.decode()
    assert f"/backoffice/payments/riskassessment/{assessment.pk}/approve/" in detail
    form = client.get(f"/backoffice/payments/riskassessment/{assessment.pk}/approve/")
    assert form.status_code == 200
    done = client.post(f"/backoffice/payments/riskassessment/{assessment.pk}/approve/", {"note": "ok"})
    assert done.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED

    warehouse = make_staff("warehouse")
    client.force_login(warehouse)
    assert client.get("/backoffice/payments/riskassessment/").status_code == 403
    assert client.post(f"/backoffice/payments/riskassessment/{assessment.pk}/reject/").status_code == 403


@override_settings(**ALWAYS_REVIEW)
def test_page_flow_with_3_d_secure_ends_authorised_and_being_reviewed(client, customer, tee_m):
    """In pages: factor → the gateway's card page → 3-D Secure → back to the shop: authorised, not paid."""
    order = place(customer, tee_m)
    client.force_login(customer)
    client.cookies["zizhu_lang"] = "en"
    verify = client.post(f"/pay/{order.payment_number}/start/", {"method": "card"})["Location"]
    client.post(verify, {"action": "send"})
    hosted = client.post(verify, {"action": "confirm", "code": code_from_mail(mail.outbox)})["Location"]
    challenge = client.post(hosted, {"number": "4000 0000 0000 3220", "expiry": "12/34", "cvc": "123"})["Location"]
    intent = GatewayIntent.objects.get(merchant_key=order.payment_number)
    back = client.post(challenge, {"code": intent.challenge_code, "action": "verify"})["Location"]
    result = client.get(back, follow=True)
    assert "Payment being reviewed" in result.content.decode()
    payment = Payment.objects.get(number=order.payment_number)
    intent.refresh_from_db()
    assert payment.status == Payment.Status.AUTHORIZED and intent.status == "requires_capture"
    assert intent.amount_captured == 0
    # The wallet can no longer be started for it, and the pay page sends the customer to the result.
    assert client.get(f"/pay/{order.payment_number}/")["Location"] == f"/pay/{order.payment_number}/result/"
