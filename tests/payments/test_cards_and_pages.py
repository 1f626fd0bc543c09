"""The sandbox gateway's hosted pages and test cards, seen from the customer's side."""

from __future__ import annotations

import json
import logging
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection

from tests.payments.conftest import CARDS, deliver_all, pay_on_hosted_page, start
from zizhu.core.models import OutboxEvent
from zizhu.payments import access, services
from zizhu.payments.models import Payment, PaymentEvent, SavedCard
from zizhu.payments.sandbox_gateway.models import GatewayEvent, GatewayIntent


def topics() -> list[str]:
    return list(OutboxEvent.objects.filter(topic__startswith="payment.").values_list("topic", flat=True))


@pytest.mark.smoke
def test_success_card_pays_and_webhook_is_a_no_op_afterwards(client, payment):
    response = pay_on_hosted_page(client, payment, CARDS["success"])
    assert response.status_code == 302 and "intent=" in response["Location"]
    # The customer's return syncs the payment before any webhook arrives.
    payment = services.sync_payment(payment=payment)
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.captured_amount == Decimal("199.00") and payment.card_last4 == "4242"
    assert payment.method == "card" and payment.card_brand == "visa"
    assert deliver_all() >= 1  # the webhook comes later and changes nothing
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert topics().count("payment.succeeded") == 1
    event = OutboxEvent.objects.get(topic="payment.succeeded")
    assert event.payload["number"] == payment.number and event.payload["reference"] == payment.reference
    assert event.payload["amount"] == "199.00" and event.payload["currency"] == "CNY"


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("card", "code"), [("decline", "card_declined"), ("insufficient", "insufficient_funds")], ids=["decline", "funds"]
)
def test_declined_cards_fail_with_a_reason(client, payment, card, code):
    pay_on_hosted_page(client, payment, CARDS[card])
    deliver_all()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED and payment.failure_code == code
    assert topics() == ["payment.failed"]
    page = client.get(f"/pay/{payment.number}/result/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 404  # the anonymous test client is not the payment's customer


@pytest.mark.smoke
def test_three_d_secure_pass(client, payment):
    response = pay_on_hosted_page(client, payment, CARDS["3ds"])
    assert response.status_code == 302 and "/sandbox-gateway/3ds/" in response["Location"]
    intent = GatewayIntent.objects.get(pk=payment.provider_intent_id if payment.provider_intent_id else None)
    page = client.get(response["Location"])
    assert intent.challenge_code in page.content.decode()  # the sandbox shows the one-time code
    deliver_all()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REQUIRES_ACTION
    done = client.post(response["Location"], {"code": intent.challenge_code, "action": "verify"})
    assert done.status_code == 302
    deliver_all()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED


@pytest.mark.smoke
@pytest.mark.parametrize("action", ["wrong", "cancel"])
def test_three_d_secure_fail(client, payment, action):
    response = pay_on_hosted_page(client, payment, CARDS["3ds"])
    client.post(response["Location"], {"code": "000000" if action == "wrong" else "", "action": action})
    intent = GatewayIntent.objects.get(pk=Payment.objects.get(pk=payment.pk).provider_intent_id)
    if action == "wrong" and intent.status == GatewayIntent.Status.SUCCEEDED:  # 1 in a million: the code was 000000
        return
    deliver_all()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED and payment.failure_code == "authentication_failed"


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("number", "expiry", "cvc", "field"),
    [
        ("4242 4242 4242 4241", "12/34", "123", "number"),  # Luhn
        ("1234", "12/34", "123", "number"),
        ("4111 1111 1111 1111", "12/34", "123", "number"),  # valid, but not a test card
        ("4242 4242 4242 4242", "13/34", "123", "expiry"),
        ("4242 4242 4242 4242", "01/20", "123", "expiry"),
        ("4242 4242 4242 4242", "12/34", "12", "cvc"),
    ],
)
def test_bad_card_input_gets_a_translated_error_and_changes_nothing(client, payment, number, expiry, cvc, field):
    step = start(payment)
    response = client.post(step.url, {"number": number, "expiry": expiry, "cvc": cvc}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert f'id="card-{field}-error"' in response.content.decode()
    chinese = client.post(step.url, {"number": number, "expiry": expiry, "cvc": cvc}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 422 and 'lang="zh-Hans"' in chinese.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REQUIRES_ACTION
    assert not GatewayEvent.objects.exists()


@pytest.mark.smoke
def test_wallet_qr_then_phone_confirm_updates_the_watching_page(client, customer, payment):
    client.force_login(customer)
    response = client.post(f"/pay/{payment.number}/start/", {"method": "wallet"})
    assert response.status_code == 302 and response["Location"] == f"/pay/{payment.number}/wallet/"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and 'role="status"' in html and 'hx-trigger="every 2s"' in html
    assert "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]  # the QR is drawn here, not fetched
    intent = GatewayIntent.objects.get(pk=Payment.objects.get(pk=payment.pk).provider_intent_id)
    phone_url = f"/sandbox-gateway/wallet/{intent.pk}/{intent.wallet_secret}/"
    assert phone_url in html
    status = client.get(f"/pay/{payment.number}/status/", HTTP_HX_REQUEST="true")
    assert "HX-Redirect" not in status
    phone = client.post(phone_url, {"action": "approve"})
    assert phone.status_code == 200
    deliver_all()
    status = client.get(f"/pay/{payment.number}/status/", HTTP_HX_REQUEST="true")
    assert status["HX-Redirect"] == f"/pay/{payment.number}/result/"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.method == "wallet"


@pytest.mark.smoke
def test_wallet_page_with_a_wrong_secret_is_404(client, payment):
    start(payment, "wallet")
    intent_id = Payment.objects.get(pk=payment.pk).provider_intent_id
    assert client.post(f"/sandbox-gateway/wallet/{intent_id}/guess/", {"action": "approve"}).status_code == 404


@pytest.mark.smoke
def test_customer_pages_pay_result_and_other_customers_404(client, customer, other_customer, payment):
    client.force_login(customer)
    page = client.get(f"/pay/{payment.number}/")
    assert page.status_code == 200 and "199.00" in page.content.decode()
    start_response = client.post(f"/pay/{payment.number}/start/", {"method": "card"})
    assert start_response.status_code == 302 and start_response["Location"].startswith("/sandbox-gateway/pay/")
    hosted = client.post(start_response["Location"], {"number": CARDS["success"], "expiry": "12/34", "cvc": "123"})
    assert hosted["Location"].startswith(f"http://testserver/pay/{payment.number}/return/?intent=")
    back = client.get(hosted["Location"])
    assert back["Location"] == f"/pay/{payment.number}/result/"
    result = client.get(back["Location"])
    assert result.status_code == 200 and "4242" in result.content.decode()
    client.force_login(other_customer)
    for path in ("", "start/", "wallet/", "status/", "result/", "return/"):
        assert client.get(f"/pay/{payment.number}/{path}").status_code in (404, 405)
    assert client.post(f"/pay/{payment.number}/start/", {"method": "card"}).status_code == 404


@pytest.mark.smoke
def test_guest_pays_through_a_signed_link(client, make_payment):
    payment = make_payment(customer=None)
    assert client.get(f"/pay/{payment.number}/").status_code == 404
    assert client.get(f"/pay/{payment.number}/?t=forged").status_code == 404
    assert client.get(access.pay_link(payment.number)).status_code == 200
    assert client.get(f"/pay/{payment.number}/").status_code == 200  # the session keeps the grant


@pytest.mark.smoke
def test_failed_payment_can_be_tried_again_as_a_new_payment(client, customer, payment):
    client.force_login(customer)
    pay_on_hosted_page(client, payment, CARDS["decline"])
    services.sync_payment(payment=payment)
    response = client.post(f"/pay/{payment.number}/retry/")
    fresh = Payment.objects.exclude(pk=payment.pk).get()
    assert response["Location"] == f"/pay/{fresh.number}/"
    assert fresh.reference == payment.reference and fresh.amount == payment.amount and fresh.customer == customer


def _all_payment_values() -> list:
    """Every value in every table of the payments app (the shop's and the gateway's)."""
    values = []
    with connection.cursor() as cursor:
        for model in apps.get_app_config("payments").get_models():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
            values.extend(value for row in cursor.fetchall() for value in row)
    return values


def _all_payment_text() -> str:
    return "\n".join(str(value) for value in _all_payment_values())


@pytest.mark.smoke
def test_card_numbers_never_reach_the_database_or_the_logs(client, payment, make_payment, caplog):
    caplog.set_level(logging.DEBUG)
    pay_on_hosted_page(client, payment, CARDS["success"], cvc="987", save=True)  # a saved card too
    services.sync_payment(payment=payment)
    other = make_payment()
    pay_on_hosted_page(client, other, CARDS["3ds"], cvc="987")
    pay_on_hosted_page(client, make_payment(), "4242 4242 4242 4241", cvc="987")  # invalid input too
    deliver_all()
    text = _all_payment_text() + "\n" + "\n".join(str(r) for r in PaymentEvent.objects.values())
    logs = caplog.text
    for card in CARDS.values():
        digits = card.replace(" ", "")
        for haystack in (text, logs):
            assert digits not in haystack and card not in haystack and digits[:12] not in haystack
    # No CVC either: no stored text holds 987 as a word of its own (ids, amounts and times are numbers,
    # and random tokens hold it only between other letters or digits — both made this check flaky).
    texts = [
        v if isinstance(v, str) else json.dumps(v) for v in _all_payment_values() if isinstance(v, str | dict | list)
    ]
    texts += [json.dumps(row) for row in PaymentEvent.objects.values_list("data", flat=True)]
    assert not [t for t in texts if re.search(r"(?<![0-9A-Za-z.])987(?![0-9A-Za-z])", t)]
    fields = [f.name for m in apps.get_app_config("payments").get_models() for f in m._meta.get_fields()]
    assert not [name for name in fields if "cvc" in name or "cvv" in name or "security_code" in name]
    assert "4242" in text  # only the last four
    assert SavedCard.objects.filter(last4="4242").exists()  # the saved card: a token, brand, last 4, expiry


@pytest.mark.smoke
def test_pages_have_no_inline_script_or_style_and_no_external_host(client, customer, payment, settings):
    import re

    client.force_login(customer)
    settings.ALLOWED_HOSTS = ["testserver"]
    pages = [f"/pay/{payment.number}/"]
    start_response = client.post(f"/pay/{payment.number}/start/", {"method": "card"})
    pages.append(start_response["Location"])
    pages.append(f"/pay/{payment.number}/wallet/")
    intent = GatewayIntent.objects.get()
    pages.append(f"/sandbox-gateway/wallet/{intent.pk}/{intent.wallet_secret}/")
    pages.append(f"/pay/{payment.number}/result/")
    for path in pages:
        for elder in ("0", "1"):
            client.cookies["elder_mode"] = elder
            html = client.get(path).content.decode()
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
            assert not re.search(r"\sstyle\s*=", html), path
            assert not re.search(r"""(src|href|action)=["']https?://(?!testserver)""", html), path
    client.post(pages[1], {"number": CARDS["3ds"], "expiry": "12/34", "cvc": "123"})
    challenge = client.get(f"/sandbox-gateway/3ds/{intent.pk}/").content.decode()
    assert 'autocomplete="one-time-code"' in challenge and "<script>" not in challenge and " style=" not in challenge
