"""A customer sets up an authenticator app, signs out and signs in with the second step — in Chromium,
axe-clean, in elder mode too. The test computes the codes itself (RFC 6238, as any authenticator app)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

import pytest

from zizhu.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def totp_code(key_b32: str, at: float, step: int = 30) -> str:
    """RFC 6238 with HMAC-SHA1 and 6 digits: what the customer's phone would show."""
    key = base64.b32decode(key_b32 + "=" * (-len(key_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // step)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def sign_in(page, url, password):
    page.goto(url + "/accounts/signin/")
    page.get_by_label("邮箱或手机号").fill("mfa@example.com")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_enrol_an_authenticator_then_sign_in_in_two_steps(page, live_server, axe_check, password):
    User.objects.create_user("mfa@example.com", password, display_name="Mei", anti_phishing_phrase="蓝色风筝")
    url = live_server.url
    sign_in(page, url, password)
    page.wait_for_url("**/accounts/profile/")

    # security page → authenticator app: a QR code drawn on the page and the key to type
    page.get_by_role("link", name="登录与安全").click()
    axe_check(page, "security")
    assert page.get_by_text("蓝色风筝").is_visible()
    page.get_by_role("link", name="设置身份验证器应用").click()
    page.wait_for_url("**/accounts/security/authenticator/")
    assert page.locator("figure.qr svg").is_visible()
    axe_check(page, "authenticator set-up")
    key = page.locator(".otp-key").inner_text().replace(" ", "")
    enrolled_at = time.time()
    code_field = page.get_by_label("验证码")
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    assert code_field.get_attribute("inputmode") == "numeric"
    code_field.fill(totp_code(key, enrolled_at))
    page.get_by_role("button", name="确认").click()
    page.wait_for_url("**/accounts/security/backup-codes/")
    assert page.locator(".backup-codes code").count() == 10
    axe_check(page, "backup codes")

    # sign out; sign in again in elder mode: the password, then the phrase and a code
    page.get_by_role("button", name="退出登录").click()
    page.context.add_cookies([{"name": "zizhu_elder", "value": "1", "url": url}])
    sign_in(page, url, password)
    page.wait_for_url("**/accounts/signin/verify/")
    assert page.locator("html").get_attribute("class") == "elder"
    assert page.get_by_text("蓝色风筝").is_visible()
    axe_check(page, "second sign-in step in elder mode")
    page.goto(url + "/accounts/profile/")
    assert "/accounts/signin/" in page.url  # not signed in before the second step
    page.go_back()
    page.wait_for_url("**/accounts/signin/verify/")
    page.get_by_role("textbox", name="验证码").fill(
        totp_code(key, enrolled_at + 30)
    )  # the next step: never the same code
    page.get_by_role("button", name="确认并登录").click()
    page.wait_for_url("**/accounts/profile/")
    assert page.get_by_role("heading", name="我的账户").is_visible()
    axe_check(page, "profile after two-step sign-in (elder)")
    assert page.foreign_requests == []
