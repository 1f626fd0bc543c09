"""小额免密支付 (DESIGN.md §7: no password-free payment by default). A saved-card payment asks for the
customer's second factor unless they turned password-free payment on and the amount is within its limit;
the risk score still applies on top. Turning it on (or raising the limit) needs the account password or a
recent re-authentication; bad limits are refused with nothing changed; the change is audited and exported."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.test import override_settings

from tests.payments.risk.helpers import code_from_mail
from tests.payments.saved import saved_card
from tests.payments.test_api import confirm
from zizhu.accounts.models import AuditRecord
from zizhu.payments.models import PasswordFreePayment, Payment

pytestmark = pytest.mark.django_db
ALWAYS_CHALLENGE = {"ZIZHU_RISK_CHALLENGE_THRESHOLD": 0, "ZIZHU_RISK_REVIEW_THRESHOLD": 1000}
ALWAYS_REVIEW = {"ZIZHU_RISK_CHALLENGE_THRESHOLD": 0, "ZIZHU_RISK_REVIEW_THRESHOLD": 0}
SETTINGS_URL = "/api/v1/payments/cards/settings"


def turn_on(customer, limit: str = "200.00") -> None:
    PasswordFreePayment.objects.create(customer=customer, enabled=True, limit=Decimal(limit))


def pay_on_page(client, payment, card):
    return client.post(f"/pay/{payment.number}/start/", {"method": f"saved:{card.pk}"})


def verify_url(payment, card) -> str:
    return f"/pay/{payment.number}/verify/?method=saved:{card.pk}"


def sent_to_verify(client, payment, customer, *, limit: str | None = None):
    """The customer (password-free on with ``limit``, if given) pays with a saved card: the second factor
    is asked (the pay page sends them to it). Returns the card."""
    if limit is not None:
        turn_on(customer, limit)
    card = saved_card(customer)
    client.force_login(customer)
    assert pay_on_page(client, payment, card)["Location"] == verify_url(payment, card)
    return card


def pass_on_page(client, payment, card):
    client.post(verify_url(payment, card), {"action": "send", "method": f"saved:{card.pk}"})
    code = code_from_mail(mail.outbox)
    return client.post(verify_url(payment, card), {"action": "confirm", "method": f"saved:{card.pk}", "code": code})


def put(client, body: dict):
    return client.put(SETTINGS_URL, body, content_type="application/json")


def signed_in_long_ago(client, customer) -> None:
    """Signed in more than 10 minutes ago: the sign-in no longer counts as "it is you"."""
    from zizhu.accounts import mfa

    client.force_login(customer)
    session = client.session
    session[mfa.AUTH_AT] = 0
    session.save()


def state(customer) -> tuple[bool, Decimal] | None:
    row = PasswordFreePayment.objects.filter(customer=customer).first()
    return None if row is None else (row.enabled, row.limit)


# --- paying with a saved card -----------------------------------------------------------------------------------


@pytest.mark.smoke
def test_by_default_a_saved_card_payment_asks_for_the_second_factor_on_the_pay_page(client, payment, customer):
    card = saved_card(customer)
    client.force_login(customer)
    page = client.get(f"/pay/{payment.number}/").content.decode()
    assert "使用已保存的卡时，扣款前需要输入验证码。" in page
    response = pay_on_page(client, payment, card)
    assert response.status_code == 302 and response["Location"] == verify_url(payment, card)
    payment.refresh_from_db()
    assert payment.provider_intent_id is None and payment.risk.factor == "pending"  # nothing charged
    assert payment.risk.decision == "allow"  # the score did not ask: the saved card did
    done = pass_on_page(client, payment, card)
    assert done["Location"] == f"/pay/{payment.number}/result/"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.card_last4 == "4242"


def test_by_default_the_api_answers_403_until_the_second_factor_is_passed(client, payment, customer):
    card = saved_card(customer)
    client.force_login(customer)
    refused = confirm(client, payment, {"saved_card": card.pk})
    assert refused.status_code == 403 and refused.json()["code"] == "second_factor_required"
    assert Payment.objects.get(pk=payment.pk).provider_intent_id is None
    sent = client.post(f"/api/v1/payments/{payment.number}/second-factor/send")
    assert sent.status_code == 200 and sent.json()["sent_to"] == "a***@example.com"
    passed = client.post(
        f"/api/v1/payments/{payment.number}/second-factor",
        {"code": code_from_mail(mail.outbox)},
        content_type="application/json",
    )
    assert passed.status_code == 200 and passed.json()["passed"] is True
    paid = confirm(client, payment, {"saved_card": card.pk})  # the same key: the 403 was not stored
    assert paid.status_code == 200 and paid.json()["status"] == "succeeded"


@pytest.mark.smoke
def test_password_free_on_pays_at_once_within_the_limit(client, make_payment, customer):
    turn_on(customer)
    payment = make_payment("200.00", customer=customer)  # at the limit
    card = saved_card(customer)
    client.force_login(customer)
    page = client.get(f"/pay/{payment.number}/").content.decode()
    assert "小额免密已开启，¥200.00 以内直接支付" in page
    response = pay_on_page(client, payment, card)
    assert response["Location"] == f"/pay/{payment.number}/result/"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.risk.factor == "not_needed"


def test_password_free_on_above_the_limit_still_asks_for_the_second_factor(client, make_payment, customer):
    payment = make_payment("200.01", customer=customer)
    card = sent_to_verify(client, payment, customer, limit="200.00")
    api = confirm(client, payment, {"saved_card": card.pk})
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"
    assert Payment.objects.get(pk=payment.pk).provider_intent_id is None


@override_settings(**ALWAYS_CHALLENGE)
def test_password_free_on_the_risk_score_still_asks_for_the_second_factor(client, payment, customer):
    sent_to_verify(client, payment, customer, limit="1000.00")
    payment.refresh_from_db()
    assert payment.risk.decision == "challenge" and payment.provider_intent_id is None


@override_settings(**ALWAYS_REVIEW)
def test_password_free_on_a_review_score_still_goes_to_staff_review(client, payment, customer):
    card = sent_to_verify(client, payment, customer, limit="1000.00")
    pass_on_page(client, payment, card)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.AUTHORIZED and payment.risk.held  # authorised only, for staff


def test_a_card_typed_on_the_gateways_page_is_unchanged(client, payment, customer):
    sent_to_verify(client, payment, customer)
    # The customer changes their mind: another card on the gateway's page (the gateway is the confirmation).
    response = client.post(f"/pay/{payment.number}/start/", {"method": "card"})
    assert response.status_code == 302 and "/sandbox-gateway/" in response["Location"]


# --- the setting: pages -----------------------------------------------------------------------------------------


def test_the_cards_page_explains_the_switch_and_turns_it_on_with_the_password(client, customer, password):
    signed_in_long_ago(client, customer)
    page = client.get("/pay/cards/").content.decode()
    assert "已关闭：每次用已保存的卡付款都需要验证码。" in page
    assert 'autocomplete="current-password"' in page
    refused = client.post("/pay/cards/password-free/", {"enabled": "on", "limit": "300"})
    assert refused.status_code == 422 and "请先确认是您本人" in refused.content.decode()
    assert state(customer) is None
    wrong = client.post("/pay/cards/password-free/", {"enabled": "on", "limit": "300", "password": "not-it"})
    assert wrong.status_code == 422 and state(customer) is None
    done = client.post("/pay/cards/password-free/", {"enabled": "on", "limit": "300", "password": password})
    assert done.status_code == 302 and state(customer) == (True, Decimal("300.00"))
    assert "已开启：用已保存的卡付款，¥300.00 以内无需验证码。" in client.get("/pay/cards/").content.decode()
    lower = client.post("/pay/cards/password-free/", {"enabled": "on", "limit": "100"})  # lowering: no password
    assert lower.status_code == 302 and state(customer) == (True, Decimal("100.00"))
    higher = client.post("/pay/cards/password-free/", {"enabled": "on", "limit": "150"})  # raising: password
    assert higher.status_code == 422 and state(customer) == (True, Decimal("100.00"))
    off = client.post("/pay/cards/password-free/", {})  # turning it off needs nothing
    assert off.status_code == 302 and state(customer) == (False, Decimal("100.00"))
    summaries = list(
        AuditRecord.objects.filter(action="account.security_change").order_by("pk").values_list("summary", flat=True)
    )
    assert summaries == [
        "password-free payment on, limit ¥300.00 per payment",
        "password-free payment on, limit ¥100.00 per payment",
        "password-free payment off, limit ¥100.00 per payment",
    ]


@pytest.mark.parametrize("limit", ["-1", "0", "0.001", "1000.01", "1e9", "abc", "", "NaN", "<script>1</script>"])
def test_the_cards_page_refuses_a_bad_limit_next_to_the_field(client, customer, password, limit):
    client.force_login(customer)
    response = client.post("/pay/cards/password-free/", {"enabled": "on", "limit": limit, "password": password})
    html = response.content.decode()
    assert response.status_code == 422 and 'id="limit_error"' in html and "<script>1" not in html
    assert state(customer) is None


def test_a_recent_confirm_it_is_you_replaces_the_password(client, customer, password):
    signed_in_long_ago(client, customer)
    assert put(client, {"enabled": True, "limit": "500"}).status_code == 403
    reauth = client.post("/api/v1/me/reauth", {"password": password}, content_type="application/json")
    assert reauth.status_code == 204
    assert put(client, {"enabled": True, "limit": "500"}).status_code == 200
    assert state(customer) == (True, Decimal("500.00"))


# --- the setting: API -------------------------------------------------------------------------------------------


@pytest.mark.smoke
def test_api_settings_off_by_default_on_with_the_password(client, customer, other_customer, password):
    signed_in_long_ago(client, customer)
    got = client.get(SETTINGS_URL).json()
    assert got == {
        "enabled": False,
        "limit": {"amount": "200.00", "currency": "CNY"},
        "max_limit": {"amount": "1000.00", "currency": "CNY"},
    }
    refused = put(client, {"enabled": True})
    assert refused.status_code == 403 and refused.json()["code"] == "reauth_required" and state(customer) is None
    done = put(client, {"enabled": True, "password": password})
    assert done.status_code == 200 and done.json()["enabled"] is True and state(customer) == (True, Decimal("200"))
    client.force_login(other_customer)  # another customer only ever changes their own
    assert put(client, {"enabled": False}).status_code == 200
    assert state(customer) == (True, Decimal("200.00")) and state(other_customer) == (False, Decimal("200.00"))


@pytest.mark.parametrize(
    "limit", ["-5", "0", "0.00", "1000.01", "99999999999", "1e3", "abc", "", "Infinity", "1.005", 200, ["200"]]
)
def test_api_bad_limits_are_a_translated_422_and_change_nothing(client, customer, password, limit):
    turn_on(customer, "150.00")
    client.force_login(customer)
    response = client.put(
        SETTINGS_URL,
        {"enabled": True, "limit": limit, "password": password},
        content_type="application/json",
        headers={"Accept-Language": "zh-hans"},
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert "message" in body and "<" not in response.content.decode()
    if isinstance(limit, str) and len(limit) <= 20:
        assert body["code"] == "invalid_limit" and "每笔" in body["message"]
    assert state(customer) == (True, Decimal("150.00"))
    assert not AuditRecord.objects.filter(action="account.security_change").exists()


def test_privacy_export_and_delete_include_the_setting(customer):
    from zizhu.accounts import privacy

    turn_on(customer, "88.00")
    exported = privacy.collect(customer)["password_free_payment"]
    assert exported["enabled"] is True and exported["limit"] == "88.00"
    privacy.delete_account(user=customer)
    assert not PasswordFreePayment.objects.exists()
