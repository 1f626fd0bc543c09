"""The second factor at the pay step: pages (code by e-mail, authenticator app, guests) and the API."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.payments.risk.helpers import api_confirm, card_token, code_from_mail, place, totp_code
from zizhu.payments import access
from zizhu.payments.models import Payment, PaymentEvent
from zizhu.payments.risk.models import RiskAssessment
from zizhu.payments.sandbox_gateway.models import GatewayIntent

pytestmark = pytest.mark.django_db
ALWAYS_CHALLENGE = {"ZIZHU_RISK_CHALLENGE_THRESHOLD": 0, "ZIZHU_RISK_REVIEW_THRESHOLD": 1000}


def payment_of(order) -> Payment:
    return Payment.objects.get(number=order.payment_number)


@pytest.mark.smoke
@override_settings(**ALWAYS_CHALLENGE)
def test_page_asks_for_a_code_before_the_gateway_and_shows_the_phrase(client, customer, tee_m):
    customer.anti_phishing_phrase = "蓝色的大象"
    customer.save()
    order = place(customer, tee_m)
    client.force_login(customer)
    response = client.post(f"/pay/{order.payment_number}/start/", {"method": "card"})
    assert response.status_code == 302
    assert response["Location"] == f"/pay/{order.payment_number}/verify/?method=card"
    payment = payment_of(order)
    assert payment.provider_intent_id is None  # nothing sent to the gateway yet
    assert payment.risk.factor == RiskAssessment.Factor.PENDING

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "蓝色的大象" in page.content.decode()
    assert 'autocomplete="one-time-code"' in page.content.decode()

    sent = client.post(response["Location"], {"action": "send", "method": "card"})
    assert sent.status_code == 200 and 'role="status"' in sent.content.decode()
    assert mail.outbox[-1].to == ["alice@example.com"]
    code = code_from_mail(mail.outbox)

    wrong = client.post(response["Location"], {"action": "confirm", "method": "card", "code": "000000"})
    assert wrong.status_code == 422
    assert payment_of(order).provider_intent_id is None

    right = client.post(response["Location"], {"action": "confirm", "method": "card", "code": code})
    assert right.status_code == 302 and "/sandbox-gateway/pay/" in right["Location"]
    payment = payment_of(order)
    assert payment.provider_intent_id and payment.risk.factor == RiskAssessment.Factor.PASSED
    assert payment.risk.factor_method == "code"
    assert PaymentEvent.objects.filter(payment=payment, kind="second_factor_passed").count() == 1
    # The code works once; the page now sends the customer on to pay.
    again = client.get(f"/pay/{order.payment_number}/verify/?method=card")
    assert again.status_code == 302 and again["Location"] == f"/pay/{order.payment_number}/"


@override_settings(**ALWAYS_CHALLENGE)
def test_authenticator_app_when_enrolled_then_wallet(client, customer, tee_m):
    device = TOTPDevice.objects.create(user=customer, name="app", confirmed=True)
    order = place(customer, tee_m)
    client.force_login(customer)
    response = client.get(f"/pay/{order.payment_number}/wallet/")
    assert response["Location"] == f"/pay/{order.payment_number}/verify/?method=wallet"
    page = client.get(response["Location"]).content.decode()
    assert 'value="send"' not in page  # nothing to send: the app shows the code
    done = client.post(response["Location"], {"action": "confirm", "method": "wallet", "code": totp_code(device)})
    assert done.status_code == 302 and done["Location"] == f"/pay/{order.payment_number}/wallet/"
    assert client.get(done["Location"]).status_code == 200
    assert payment_of(order).risk.factor_method == "totp"
    assert not mail.outbox


@override_settings(**ALWAYS_CHALLENGE)
def test_guest_gets_the_code_at_the_checkout_e_mail(client, tee_m):
    order = place(None, tee_m)
    session = client.session
    session[access.SESSION_KEY] = [order.payment_number]
    session.save()
    url = f"/pay/{order.payment_number}/verify/?method=card"
    assert client.post(f"/pay/{order.payment_number}/start/", {"method": "card"})["Location"] == url
    client.post(url, {"action": "send", "method": "card"})
    assert mail.outbox[-1].to == ["xm@example.com"]
    response = client.post(url, {"action": "confirm", "method": "card", "code": code_from_mail(mail.outbox)})
    assert response.status_code == 302 and "/sandbox-gateway/pay/" in response["Location"]


@override_settings(**ALWAYS_CHALLENGE)
def test_sending_codes_is_rate_limited(client, customer, tee_m):
    order = place(customer, tee_m)
    client.force_login(customer)
    client.post(f"/pay/{order.payment_number}/start/", {"method": "card"})
    url = f"/pay/{order.payment_number}/verify/?method=card"
    assert client.post(url, {"action": "send"}).status_code == 200
    assert client.post(url, {"action": "send"}).status_code == 429  # 1 a minute
    assert len(mail.outbox) == 1


@override_settings(**ALWAYS_CHALLENGE)
def test_another_customer_cannot_see_or_pass_the_challenge(client, customer, other_customer, tee_m):
    order = place(customer, tee_m)
    client.force_login(other_customer)
    assert client.get(f"/pay/{order.payment_number}/verify/").status_code == 404
    assert client.post(f"/api/v1/payments/{order.payment_number}/second-factor/send").status_code == 404
    body = {"code": "123456"}
    assert (
        client.post(
            f"/api/v1/payments/{order.payment_number}/second-factor", body, content_type="application/json"
        ).status_code
        == 404
    )


@pytest.mark.smoke
@override_settings(**ALWAYS_CHALLENGE)
def test_api_answers_second_factor_required_until_the_code_is_given(client, customer, tee_m):
    order = place(customer, tee_m)
    client.force_login(customer)
    token = card_token(client)
    refused = api_confirm(client, order.payment_number, token, key="pay-1")
    assert refused.status_code == 403
    body = refused.json()
    assert body["code"] == "second_factor_required"
    assert body["fields"]["second_factor"] == ["methods=code"]
    send_url = body["fields"]["send_code"][0]
    submit_url = body["fields"]["submit"][0]
    assert send_url == f"/api/v1/payments/{order.payment_number}/second-factor/send"
    assert not GatewayIntent.objects.exists()  # the card was not used

    sent = client.post(send_url)
    assert sent.status_code == 200 and sent.json()["sent_to"] == "a***@example.com"
    code = code_from_mail(mail.outbox)
    wrong = client.post(submit_url, {"code": "000000"}, content_type="application/json")
    assert wrong.status_code == 422 and wrong.json()["code"] == "code_wrong"
    assert client.post(submit_url, {"code": "12"}, content_type="application/json").status_code == 422
    ok = client.post(submit_url, {"code": code}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["passed"] is True

    # The same Idempotency-Key works now: the 403 was not stored.
    paid = api_confirm(client, order.payment_number, token, key="pay-1")
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "succeeded"
    # Passing again is refused clearly (nothing pending).
    again = client.post(submit_url, {"code": code}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "second_factor_not_needed"


@override_settings(**ALWAYS_CHALLENGE)
def test_api_with_the_authenticator_app(client, customer, tee_m):
    device = TOTPDevice.objects.create(user=customer, name="app", confirmed=True)
    order = place(customer, tee_m)
    client.force_login(customer)
    token = card_token(client)
    refused = api_confirm(client, order.payment_number, token)
    assert refused.json()["fields"]["second_factor"] == ["methods=totp"]
    submit = refused.json()["fields"]["submit"][0]
    assert client.post(submit, {"code": totp_code(device), "method": "totp"}, content_type="application/json").json()[
        "passed"
    ]
    assert api_confirm(client, order.payment_number, token, key="key-2").json()["status"] == "succeeded"


def test_low_score_pays_without_a_second_factor(client, customer, tee_m):
    order = place(customer, tee_m)
    client.force_login(customer)
    response = client.post(f"/pay/{order.payment_number}/start/", {"method": "card"})
    assert "/sandbox-gateway/pay/" in response["Location"]
    assert payment_of(order).risk.decision == RiskAssessment.Decision.ALLOW
