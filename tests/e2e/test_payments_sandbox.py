"""Paying in Chromium: a guest passes 3-D Secure on the gateway's hosted page; the wallet QR page
updates by itself when the phone confirms. axe-clean on every page, elder mode too."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_visitor_journey import assert_targets, measure
from zizhu.core.money import Money
from zizhu.payments import access, services
from zizhu.payments.models import Payment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def deliver_webhooks_over_http(settings):
    # The gateway POSTs its signed webhooks to the live server right after each change.
    settings.PAYMENTS_SANDBOX_WEBHOOK_DELIVERY = "inline"
    settings.PAYMENTS_SANDBOX_WEBHOOK_SENDER = "zizhu.payments.sandbox_gateway.delivery.http_send"


def guest_payment(amount: str = "268.00") -> Payment:
    return services.create_payment(reference="O4820193847561203", amount=Money.of(amount))


def test_guest_pays_with_the_3d_secure_card(page, live_server, axe_check):
    payment = guest_payment()
    page.goto(live_server.url + access.pay_link(payment.number))
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "268.00" in page.locator(".pay-amount").inner_text()
    axe_check(page, "pay page")
    page.get_by_label(re.compile("银行卡")).check()
    page.get_by_role("button", name="继续付款").click()

    page.wait_for_url(re.compile(r"/sandbox-gateway/pay/"))
    axe_check(page, "hosted card page")
    assert page.locator("#card-number").get_attribute("autocomplete") == "cc-number"
    page.get_by_label("卡号").fill("4000 0000 0000 3221")  # a typo: the Luhn check catches it
    page.get_by_label("有效期（MM/YY）").fill("12/34")
    page.get_by_label("安全码（CVC）").fill("123")
    page.get_by_role("button", name=re.compile("支付")).first.click()
    assert "卡号无效" in page.locator("#card-number-error").inner_text()
    axe_check(page, "hosted card page with errors")
    page.get_by_label("卡号").fill("4000 0000 0000 3220")
    page.get_by_label("安全码（CVC）").fill("123")
    page.locator("form.card-form button[type=submit]").click()

    page.wait_for_url(re.compile(r"/sandbox-gateway/3ds/"))
    axe_check(page, "3-D Secure challenge")
    code = page.locator("#one-time-code strong").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    page.get_by_label("一次性验证码", exact=True).fill(code)
    page.keyboard.press("Enter")  # the keyboard submits the form (the first button: confirm)

    page.wait_for_url(re.compile(rf"/pay/{payment.number}/result/"))
    assert page.locator("h1").inner_text() == "支付成功"
    assert "3220" in page.locator("main").inner_text()
    axe_check(page, "result")
    page.locator("#elder-switch").click()
    page.wait_for_load_state()
    assert "elder" in (page.locator("html").get_attribute("class") or "")
    axe_check(page, "result, elder mode")
    metrics = measure(page)
    assert_targets(metrics, 60)
    assert min(metrics["mainFonts"]) >= 24 and min(metrics["lineRatios"]) >= 1.3
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.card_last4 == "3220"
    assert payment.webhooks.count() >= 1  # the signed webhook reached the shop over HTTP
    assert page.foreign_requests == []


def test_wallet_page_updates_live_when_the_phone_confirms(page, live_server, axe_check, browser):
    payment = guest_payment("59.90")
    page.goto(live_server.url + access.pay_link(payment.number))
    page.locator("#elder-switch").click()  # this customer uses elder mode throughout
    page.wait_for_load_state()
    assert "elder" in (page.locator("html").get_attribute("class") or "")
    axe_check(page, "pay page, elder mode")
    assert_targets(measure(page), 60)
    page.get_by_label(re.compile("钱包")).check()
    page.get_by_role("button", name="继续付款").click()
    page.wait_for_url(re.compile(rf"/pay/{payment.number}/wallet/"))
    assert page.locator("svg.qr-code").is_visible()
    assert page.locator("#pay-status").get_attribute("role") == "status"
    axe_check(page, "wallet QR page, elder mode")
    assert_targets(measure(page), 60)
    phone_url = page.locator("figure.qr a").get_attribute("href")

    phone = browser.new_context(viewport={"width": 390, "height": 800}, locale="zh-CN").new_page()
    phone.goto(phone_url)
    axe_check(phone, "phone wallet page")
    phone.get_by_role("button", name="确认并支付").click()
    assert "支付已确认" in phone.locator(".wallet-result").inner_text()
    phone.context.close()

    # No reload: HTMX polls every 2 s and moves to the result page.
    page.wait_for_url(re.compile(rf"/pay/{payment.number}/result/"), timeout=10_000)
    assert page.locator("h1").inner_text() == "支付成功"
    assert page.foreign_requests == []
