"""A customer adds a passkey from the security page (Chromium's virtual authenticator, through the DevTools
protocol), signs out and signs in with the passkey alone — no name, no password; then uses it as the
second step after the password. Pages axe-clean, nothing loaded from other hosts."""

from __future__ import annotations

import pytest

from zizhu.accounts.models import Passkey, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def virtual_authenticator(page) -> tuple[object, str]:
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    added = session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return session, added["authenticatorId"]


def test_add_a_passkey_then_sign_in_with_it(page, live_server, axe_check, password):
    User.objects.create_user("pk@example.com", password, display_name="Ping")
    url = live_server.url.replace("127.0.0.1", "localhost")  # browsers refuse an IP address as the RP id
    session, authenticator_id = virtual_authenticator(page)

    page.goto(url + "/accounts/signin/")
    page.get_by_label("邮箱或手机号").fill("pk@example.com")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/accounts/profile/")

    page.goto(url + "/accounts/security/")
    page.get_by_role("link", name="通行密钥").click()
    page.wait_for_url("**/accounts/security/passkeys/")
    axe_check(page, "passkeys (none yet)")
    page.get_by_label("名称（便于以后识别）").fill("我的电脑")
    page.get_by_role("button", name="添加通行密钥").click()
    page.wait_for_url("**/accounts/security/backup-codes/")  # the first factor: backup codes shown once
    assert page.locator(".backup-codes code").count() == 10
    passkey = Passkey.objects.get(user__email="pk@example.com")
    assert passkey.name == "我的电脑"
    credentials = session.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert len(credentials) == 1 and credentials[0]["isResidentCredential"]

    page.goto(url + "/accounts/security/passkeys/")
    assert page.get_by_role("heading", name="我的电脑").is_visible()
    axe_check(page, "passkeys (one)")

    # sign out; sign in with the passkey alone
    page.get_by_role("button", name="退出登录").click()
    page.goto(url + "/accounts/signin/")
    axe_check(page, "sign-in with the passkey button")
    page.get_by_role("button", name="使用通行密钥", exact=True).click()
    page.wait_for_url("**/accounts/profile/")
    assert page.get_by_role("heading", name="我的账户").is_visible()
    assert Passkey.objects.get(pk=passkey.pk).sign_count >= 1

    # the password now asks for a second step: the passkey answers it
    page.get_by_role("button", name="退出登录").click()
    page.goto(url + "/accounts/signin/")
    page.get_by_label("邮箱或手机号").fill("pk@example.com")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/accounts/signin/verify/")
    axe_check(page, "second step with a passkey")
    page.get_by_role("button", name="使用我的通行密钥").click()
    page.wait_for_url("**/accounts/profile/")
    assert page.foreign_requests == []


def test_account_pages_are_axe_clean_and_work_by_keyboard(page, live_server, axe_check, password):
    """Change e-mail / phone, reset by SMS, download and delete: axe-clean, in elder mode too."""
    User.objects.create_user("pages@example.com", password, display_name="Pei")
    url = live_server.url
    page.goto(url + "/accounts/password/reset/sms/")
    axe_check(page, "reset by SMS")
    page.get_by_label("手机号").fill("13900000000")
    page.get_by_label("手机号").press("Enter")
    page.wait_for_url("**/accounts/password/reset/sms/confirm/")
    assert page.get_by_text("如果有账户使用此手机号").is_visible()
    axe_check(page, "reset by SMS: the code and the new password")

    page.context.add_cookies([{"name": "zizhu_elder", "value": "1", "url": url}])
    page.goto(url + "/accounts/signin/")
    page.get_by_label("邮箱或手机号").fill("pages@example.com")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/accounts/profile/")
    for path, label in [
        ("/accounts/security/email/", "change e-mail"),
        ("/accounts/security/phone/", "change phone"),
        ("/accounts/privacy/", "your data"),
        ("/accounts/privacy/delete/", "delete the account"),
    ]:
        page.goto(url + path)
        assert page.locator("html").get_attribute("class") == "elder"
        axe_check(page, label + " (elder)")
    page.goto(url + "/accounts/security/email/")
    page.get_by_label("新邮箱地址").fill("pages.new@example.com")
    page.get_by_role("button", name="发送验证码").click()
    page.wait_for_url("**/accounts/security/email/")
    assert page.get_by_label("验证码").is_visible()
    axe_check(page, "change e-mail: the code (elder)")
    assert page.foreign_requests == []
