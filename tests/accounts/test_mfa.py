"""Second factors: TOTP enrolment and replay, backup codes, codes by message, two-step sign-in,
API sign-in and tokens, re-authentication, password reset never bypassing the second step."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from zizhu.accounts import mfa
from zizhu.accounts.models import OneTimeCode

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

NOW = "2026-11-25 10:00:05+00:00"


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):06d}"


@pytest.fixture
def with_totp(customer):
    device = TOTPDevice.objects.create(user=customer, name="app", confirmed=True)
    backup = mfa.new_backup_codes(user=customer)
    return device, backup


def password_step(client, password, login="alice@example.com", next_url=""):
    url = reverse("accounts:signin") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": login, "password": password})


def test_enrolment_shows_an_inline_svg_qr_and_the_key_then_confirms_with_a_code(client, customer):
    client.force_login(customer)
    page = client.get(reverse("accounts:totp_setup"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "segno" in html and "<img" not in html.split('id="main"')[-1]
    assert "otpauth" not in html and "https://" not in html.split("<svg", 1)[1].split("</svg>")[0]
    device = TOTPDevice.objects.get(user=customer, confirmed=False)
    key = re.search(r'<code class="otp-key">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    assert key.rstrip("=") == __import__("base64").b32encode(device.bin_key).decode().rstrip("=")
    wrong = client.post(reverse("accounts:totp_setup"), {"method": "totp", "code": "000000"})
    assert wrong.status_code == 422
    done = client.post(reverse("accounts:totp_setup"), {"method": "totp", "code": code_for(device)})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:backup_codes")
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    shown = client.get(reverse("accounts:backup_codes")).content.decode()
    assert len(re.findall(r"<code>[a-z2-9]{5}-[a-z2-9]{5}</code>", shown)) == 10
    again = client.get(reverse("accounts:backup_codes")).content.decode()  # shown once
    assert not re.findall(r"<code>[a-z2-9]{5}-[a-z2-9]{5}</code>", again)


def test_sign_in_is_two_steps_and_rotates_the_session_key_twice(client, customer, password, with_totp):
    device, _backup = with_totp
    client.get("/")
    client.cookies["sessionid"] = "attacker-chosen-session-key-000"
    first = password_step(client, password)
    assert first.status_code == 302 and first["Location"] == reverse("accounts:signin_verify")
    middle_key = client.cookies["sessionid"].value
    assert middle_key != "attacker-chosen-session-key-000"
    assert SESSION_KEY not in client.session
    assert client.get(reverse("accounts:profile")).status_code == 302  # not signed in yet
    page = client.get(reverse("accounts:signin_verify"))
    assert 'autocomplete="one-time-code"' in page.content.decode() and 'inputmode="numeric"' in page.content.decode()
    done = client.post(reverse("accounts:signin_verify"), {"method": "totp", "code": code_for(device)})
    assert done.status_code == 302
    assert client.session[SESSION_KEY] == str(customer.pk)
    assert client.cookies["sessionid"].value != middle_key


def test_a_replayed_totp_code_is_rejected(customer, password, with_totp):
    device, _backup = with_totp
    with time_machine.travel(NOW, tick=False):
        code = code_for(device)
        first, second = Client(), Client()
        password_step(first, password)
        assert first.post(reverse("accounts:signin_verify"), {"method": "totp", "code": code}).status_code == 302
        password_step(second, password)
        replay = second.post(reverse("accounts:signin_verify"), {"method": "totp", "code": code})
        assert replay.status_code == 422 and SESSION_KEY not in second.session


def test_a_backup_code_works_once(customer, password, with_totp):
    _device, backup = with_totp
    first, second = Client(), Client()
    password_step(first, password)
    assert first.post(reverse("accounts:signin_verify"), {"method": "backup", "code": backup[0]}).status_code == 302
    assert StaticToken.objects.filter(device__user=customer).count() == 9
    password_step(second, password)
    again = second.post(reverse("accounts:signin_verify"), {"method": "backup", "code": backup[0]})
    assert again.status_code == 422


def test_next_survives_the_second_step_but_only_to_our_paths(customer, password, with_totp):
    _device, backup = with_totp
    ours, evil = Client(), Client()
    password_step(ours, password, next_url="/help/")
    assert ours.post(reverse("accounts:signin_verify"), {"method": "backup", "code": backup[0]})["Location"] == "/help/"
    password_step(evil, password, next_url="https://evil.example/")
    response = evil.post(reverse("accounts:signin_verify"), {"method": "backup", "code": backup[1]})
    assert response["Location"] == reverse("accounts:profile")


@pytest.fixture
def email_factor(customer):
    customer.otp_channel = "email"
    customer.save(update_fields=["otp_channel"])
    return customer


def _send(client):
    return client.post(reverse("accounts:signin_verify"), {"action": "send"})


def _mailed_code() -> str:
    return re.findall(r"\b(\d{6})\b", mail.outbox[-1].body)[-1]


def test_codes_by_email_expire_after_5_minutes(client, email_factor, password):
    with time_machine.travel(NOW, tick=False) as clock:
        password_step(client, password)
        assert _send(client).status_code == 200
        code = _mailed_code()
        clock.shift(5 * 60 + 1)
        late = client.post(reverse("accounts:signin_verify"), {"method": "message", "code": code})
        assert late.status_code == 422 and SESSION_KEY not in client.session


def test_codes_by_email_work_once(client, email_factor, password):
    password_step(client, password)
    _send(client)
    code = _mailed_code()
    assert client.post(reverse("accounts:signin_verify"), {"method": "message", "code": code}).status_code == 302
    other = Client()
    password_step(other, password)
    assert other.post(reverse("accounts:signin_verify"), {"method": "message", "code": code}).status_code == 422


def test_five_wrong_guesses_burn_the_code(client, email_factor, password):
    password_step(client, password)
    _send(client)
    code = _mailed_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert client.post(reverse("accounts:signin_verify"), {"method": "message", "code": wrong}).status_code == 422
    burnt = client.post(reverse("accounts:signin_verify"), {"method": "message", "code": code})
    assert burnt.status_code == 422 and SESSION_KEY not in client.session
    assert OneTimeCode.objects.get(user=email_factor).used_at is not None


def test_sends_are_limited_to_one_a_minute_and_five_an_hour(client, email_factor, password):
    with time_machine.travel(NOW, tick=False) as clock:
        password_step(client, password)
        assert _send(client).status_code == 200
        limited = _send(client)
        assert limited.status_code == 429 and 0 < int(limited["Retry-After"]) <= 60
        for _ in range(4):
            clock.shift(61)
            password_step(client, password)
            assert _send(client).status_code == 200
        clock.shift(61)
        password_step(client, password)
        sixth = _send(client)
        assert sixth.status_code == 429 and int(sixth["Retry-After"]) > 60
        assert len(mail.outbox) == 5


def test_sms_codes_go_through_the_pluggable_sender(client, customer, password, sms_outbox):
    customer.phone = "+8613800138000"
    customer.otp_channel = "sms"
    customer.save()
    password_step(client, password)
    _send(client)
    assert sms_outbox[-1]["to"] == "+8613800138000"
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1]["text"]).group(1)
    assert client.post(reverse("accounts:signin_verify"), {"method": "message", "code": code}).status_code == 302


# --- API --------------------------------------------------------------------------------------------


def _api(client, path, body):
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    return client.post(path, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)


def test_api_sign_in_with_a_second_factor(client, customer, password, with_totp):
    device, _backup = with_totp
    first = _api(client, "/api/v1/auth/signin", {"login": "alice@example.com", "password": password})
    assert first.status_code == 202 and first.json()["code"] == "second_factor_required"
    assert "totp" in first.json()["methods"]
    assert client.get("/api/v1/me").status_code == 401
    wrong = _api(client, "/api/v1/auth/signin/verify", {"method": "totp", "code": "000000"})
    assert wrong.status_code == 422
    ok = _api(client, "/api/v1/auth/signin/verify", {"method": "totp", "code": code_for(device)})
    assert ok.status_code == 200 and client.get("/api/v1/me").status_code == 200


def test_a_program_gets_no_token_from_the_password_alone(client, customer, password, with_totp):
    device, backup = with_totp
    body = {"name": "script", "login": "alice@example.com", "password": password}
    refused = client.post("/api/v1/auth/tokens", body, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["code"] == "second_factor_required"
    bad = client.post("/api/v1/auth/tokens", {**body, "otp_code": "123456"}, content_type="application/json")
    assert bad.status_code == 422
    ok = client.post("/api/v1/auth/tokens", {**body, "otp_code": code_for(device)}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["token"].startswith("zz_")
    with_backup = client.post("/api/v1/auth/tokens", {**body, "otp_code": backup[0]}, content_type="application/json")
    assert with_backup.status_code == 201


# --- re-authentication and reset ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["accounts:password_change", "accounts:totp_setup", "accounts:backup_codes", "accounts:message_factor"]
)
def test_sensitive_pages_need_a_recent_authentication(client, customer, password, name):
    with time_machine.travel(NOW, tick=False) as clock:
        client.force_login(customer)
        assert client.get(reverse(name)).status_code == 200
        clock.shift(10 * 60 + 5)
        gated = client.get(reverse(name))
        assert gated.status_code == 302 and gated["Location"].startswith(reverse("accounts:reauth"))
        wrong = client.post(gated["Location"], {"password": "not-it-123"})
        assert wrong.status_code == 422
        ok = client.post(gated["Location"], {"password": password})
        assert ok["Location"] == reverse(name)
        assert client.get(reverse(name)).status_code == 200


def test_reauth_with_a_second_factor_code(client, customer, with_totp):
    device, _backup = with_totp
    with time_machine.travel(NOW, tick=False) as clock:
        client.force_login(customer)
        clock.shift(11 * 60)
        url = reverse("accounts:reauth") + "?next=" + reverse("accounts:backup_codes")
        ok = client.post(url, {"method": "totp", "code": code_for(device)})
        assert ok["Location"] == reverse("accounts:backup_codes")


def test_removing_the_authenticator_needs_reauth_too(client, customer, with_totp):
    with time_machine.travel(NOW, tick=False) as clock:
        client.force_login(customer)
        clock.shift(11 * 60)
        response = client.post(reverse("accounts:totp_remove"))
        assert response["Location"].startswith(reverse("accounts:reauth"))
        assert TOTPDevice.objects.filter(user=customer).exists()


def test_a_password_reset_never_bypasses_the_second_factor(client, customer, with_totp):
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/[^\s]+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    new_password = "a-brand-new-secret-77"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302 and SESSION_KEY not in client.session
    after = password_step(client, new_password)
    assert after["Location"] == reverse("accounts:signin_verify") and SESSION_KEY not in client.session


def test_the_back_office_signs_in_through_the_two_step_sign_in(client):
    response = client.get("/backoffice/login/?next=/backoffice/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:signin"))


def test_guessing_totp_codes_is_stopped(client, customer, password, with_totp):
    device, _backup = with_totp
    password_step(client, password)
    statuses = [
        client.post(reverse("accounts:signin_verify"), {"method": "totp", "code": f"{n:06d}"}).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [422] * 10 or set(statuses[:10]) <= {422, 302}
    assert statuses[10] == 429
    assert (
        client.post(reverse("accounts:signin_verify"), {"method": "totp", "code": code_for(device)}).status_code == 429
    )


def test_security_changes_are_audited_once_each(client, customer):
    from zizhu.accounts.models import AuditRecord

    client.force_login(customer)
    client.get(reverse("accounts:totp_setup"))
    device = TOTPDevice.objects.get(user=customer, confirmed=False)
    client.post(reverse("accounts:totp_setup"), {"method": "totp", "code": code_for(device)})
    client.post(reverse("accounts:backup_codes"))
    client.post(reverse("accounts:totp_remove"))
    summaries = list(
        AuditRecord.objects.filter(action="account.security_change", target_id=str(customer.pk))
        .order_by("id")
        .values_list("summary", flat=True)
    )
    assert summaries == ["authenticator app set up", "new backup codes", "authenticator app removed"]


def test_the_second_step_checks_csrf(customer, password, with_totp):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("accounts:signin"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    client.post(
        reverse("accounts:signin"),
        {"username": "alice@example.com", "password": password, "csrfmiddlewaretoken": token},
    )
    _device, backup = with_totp
    refused = client.post(reverse("accounts:signin_verify"), {"method": "backup", "code": backup[0]})
    assert refused.status_code == 403 and SESSION_KEY not in client.session


def test_reauth_next_only_to_our_paths(client, customer, password):
    client.force_login(customer)
    response = client.post(reverse("accounts:reauth") + "?next=https://evil.example/", {"password": password})
    assert response["Location"] == reverse("accounts:security")
