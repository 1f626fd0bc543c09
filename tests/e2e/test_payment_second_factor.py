"""In Chromium: a payment whose risk score asks for a second factor. The customer sees their
anti-phishing phrase, gets a code by e-mail, types a wrong one (error next to the field), then the
right one, and pays on the gateway's page. axe-clean, elder mode, keyboard."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.e2e.test_checkout import tee  # noqa: F401  (a T-shirt in stock)
from tests.e2e.test_visitor_journey import assert_targets, measure
from tests.payments.risk.helpers import code_from_mail, place
from zizhu.accounts.models import User
from zizhu.payments.models import Payment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def risky_and_webhooks_over_http(settings):
    settings.PAYMENTS_SANDBOX_WEBHOOK_DELIVERY = "inline"
    settings.PAYMENTS_SANDBOX_WEBHOOK_SENDER = "zizhu.payments.sandbox_gateway.delivery.http_send"
    settings.ZIZHU_RISK_CHALLENGE_THRESHOLD = 0  # every payment asks for the second factor
    settings.ZIZHU_RISK_REVIEW_THRESHOLD = 1000


def test_second_factor_before_paying(page, live_server, axe_check, password, tee):  # noqa: F811
    customer = User.objects.create_user("pay@example.com", password, display_name="Li", anti_phishing_phrase="蓝色风筝")
    order = place(customer, tee, quantity=1)
    url = live_server.url
    page.goto(url + "/accounts/signin/")
    page.get_by_label("邮箱或手机号").fill("pay@example.com")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/accounts/profile/")

    page.goto(f"{url}/pay/{order.payment_number}/")
    page.get_by_label(re.compile("银行卡")).check()
    page.get_by_role("button", name="继续付款").click()
    page.wait_for_url(re.compile(rf"/pay/{order.payment_number}/verify/"))
    assert page.get_by_text("蓝色风筝").is_visible()
    assert page.locator("h1").inner_text() == "确认这笔付款"
    axe_check(page, "second factor")

    page.get_by_role("button", name="发送验证码").click()
    page.wait_for_load_state()
    status = page.get_by_role("status").filter(has_text="验证码已发送")
    assert "p***@example.com" in status.inner_text()
    code = code_from_mail(mail.outbox)
    field = page.get_by_label("验证码")
    assert field.get_attribute("autocomplete") == "one-time-code"
    field.fill("000000" if code != "000000" else "111111")
    field.press("Enter")  # the keyboard submits
    page.wait_for_load_state()
    assert page.locator(".field-error .error").is_visible()
    assert page.locator("#error-summary").is_visible()
    axe_check(page, "second factor with an error")
    assert Payment.objects.get(number=order.payment_number).provider_intent_id is None

    page.locator("#elder-switch").click()
    page.wait_for_load_state()
    assert "elder" in (page.locator("html").get_attribute("class") or "")
    axe_check(page, "second factor, elder mode")
    assert_targets(measure(page), 60)

    page.get_by_label("验证码").fill(code)
    page.get_by_role("button", name="确认并继续付款").click()
    page.wait_for_url(re.compile(r"/sandbox-gateway/pay/"))
    page.get_by_label("卡号").fill("4242 4242 4242 4242")
    page.get_by_label("有效期（MM/YY）").fill("12/34")
    page.get_by_label("安全码（CVC）").fill("123")
    page.locator("form.card-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/pay/{order.payment_number}/result/"))
    assert page.locator("h1").inner_text() == "支付成功"
    payment = Payment.objects.get(number=order.payment_number)
    assert payment.status == Payment.Status.SUCCEEDED and payment.risk.factor == "passed"
    assert page.foreign_requests == []
