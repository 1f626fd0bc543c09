"""Changing the sign-in e-mail or phone (a code to the new one, the old one told, blind index updated,
audited, other sessions kept) and resetting the password by SMS (same answer for unknown numbers,
single use, rate limited, never a way around the second factor)."""

from __future__ import annotations

import statistics
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import last_code
from zizhu.accounts import contact, mfa
from zizhu.accounts.models import AuditRecord, User
from zizhu.core.crypto import blind_index
from zizhu.core.errors import InvalidInput

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

JSON = "application/json"
NEW_PHONE = "+8613700137000"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_change_email_takes_effect_only_with_the_code_from_the_new_address(customer, password):
    client = signed_in(customer)
    other_device = signed_in(customer)
    other_device.get(reverse("accounts:devices"))
    page = client.get(reverse("accounts:change_email"))
    assert page.status_code == 200
    sent = client.post(reverse("accounts:change_email"), {"step": "value", "value": "Alice.New@Example.com"})
    assert sent.status_code == 302
    assert mail.outbox[-1].to == ["alice.new@example.com"]
    assert User.objects.get(pk=customer.pk).email == "alice@example.com"  # nothing changed yet
    waiting = client.get(reverse("accounts:change_email")).content.decode()
    assert "a***@example.com" in waiting and 'name="step" value="code"' in waiting
    wrong = client.post(reverse("accounts:change_email"), {"step": "code", "code": "000000"})
    assert wrong.status_code == 422 and User.objects.get(pk=customer.pk).email == "alice@example.com"
    code = last_code(mail.outbox[-1].body)
    done = client.post(reverse("accounts:change_email"), {"step": "code", "code": code})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:security")
    assert User.objects.get(pk=customer.pk).email == "alice.new@example.com"
    notice = mail.outbox[-1]
    assert notice.to == ["alice@example.com"] and "a***@example.com" in notice.body and code not in notice.body
    assert AuditRecord.objects.filter(action="account.contact_change", target_id=str(customer.pk)).count() == 1
    assert other_device.get("/api/v1/me").json()["email"] == "alice.new@example.com"  # other sessions kept
    again = client.post(reverse("accounts:change_email"), {"step": "code", "code": code})
    assert again.status_code in (200, 422)  # single use: nothing pending any more
    assert User.objects.get(pk=customer.pk).email == "alice.new@example.com"


def test_change_phone_through_the_api_updates_the_blind_index(phone_customer, sms_outbox, password):
    client = signed_in(phone_customer)
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    headers = {"X-CSRFToken": token}
    started = client.post("/api/v1/me/phone", {"phone": "137 0013 7000"}, content_type=JSON, headers=headers)
    assert started.status_code == 202 and started.json()["code"] == "code_sent"
    assert sms_outbox[-1]["to"] == NEW_PHONE
    code = last_code(sms_outbox[-1]["text"])
    done = client.post("/api/v1/me/phone/confirm", {"code": code}, content_type=JSON, headers=headers)
    assert done.status_code == 200 and done.json()["phone"] == NEW_PHONE
    user = User.objects.get(pk=phone_customer.pk)
    assert user.phone_index == blind_index(NEW_PHONE, purpose="user.phone")
    assert User.objects.filter(phone=NEW_PHONE).get() == user
    assert not User.objects.filter(phone="+8613800138000").exists()
    assert sms_outbox[-1]["to"] == "+8613800138000" and "137****7000" in sms_outbox[-1]["text"]


def test_an_address_of_another_account_gets_a_notice_not_a_code(customer, other_customer):
    client = signed_in(customer)
    sent = client.post(reverse("accounts:change_email"), {"step": "value", "value": "bob@example.com"})
    assert sent.status_code == 302  # the same answer as for a free address
    notice = mail.outbox[-1]
    assert notice.to == ["bob@example.com"] and last_code_or_none(notice.body) is None
    for guess in ("123456", "654321"):
        client.post(reverse("accounts:change_email"), {"step": "code", "code": guess})
    assert User.objects.get(pk=customer.pk).email == "alice@example.com"


def last_code_or_none(text: str) -> str | None:
    try:
        return last_code(text)
    except IndexError:
        return None


def test_changes_need_recent_authentication(customer, password):
    client = signed_in(customer)
    session = client.session
    session[mfa.AUTH_AT] = time.time() - mfa.REAUTH_WINDOW - 1
    session.save()
    page = client.get(reverse("accounts:change_phone"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:reauth"))
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    refused = client.post("/api/v1/me/email", {"email": "x@example.com"}, content_type=JSON, HTTP_X_CSRFTOKEN=token)
    assert refused.status_code == 403 and refused.json()["code"] == "reauth_required"
    bad = client.post("/api/v1/me/email", {"email": "not an address"}, content_type=JSON, HTTP_X_CSRFTOKEN=token)
    assert bad.status_code == 403  # re-authentication first, before anything is looked at
    ok = client.post(
        "/api/v1/me/email", {"email": "nope", "password": password}, content_type=JSON, HTTP_X_CSRFTOKEN=token
    )
    assert ok.status_code == 422 and "email" in ok.json()["fields"]


# --- password reset by SMS --------------------------------------------------------------------------


def _reset(client: Client, phone: str):
    return client.post(reverse("accounts:sms_reset"), {"phone": phone})


def test_reset_by_sms_sets_the_password_once_and_signs_out_everywhere(phone_customer, sms_outbox):
    device = signed_in(phone_customer)
    device.get(reverse("accounts:devices"))
    client = Client()
    assert _reset(client, "138 0013 8000")["Location"] == reverse("accounts:sms_reset_confirm")
    code = last_code(sms_outbox[-1]["text"])
    pending_id = client.session["zizhu_sms_reset"]["id"]
    weak = client.post(
        reverse("accounts:sms_reset_confirm"), {"code": code, "new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 422  # the code is not used up by a weak password
    new = "a-new-Secret-phrase-7"
    done = client.post(
        reverse("accounts:sms_reset_confirm"), {"code": code, "new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302 and done["Location"] == reverse("accounts:signin")
    assert SESSION_KEY not in client.session  # a reset never signs in
    assert User.objects.get(pk=phone_customer.pk).check_password(new)
    assert device.get("/api/v1/me").status_code == 401  # every session ended
    assert AuditRecord.objects.filter(action="account.password_reset", target_id=str(phone_customer.pk)).exists()
    # the same code again (single use): refused, the password stays
    with pytest.raises(InvalidInput):
        contact.finish_sms_reset(code_id=pending_id, code=code, password="x" + new)
    assert User.objects.get(pk=phone_customer.pk).check_password(new)


def test_unknown_numbers_get_the_same_answer_and_no_message(db, sms_outbox):
    client = Client()
    response = _reset(client, "139 0000 0000")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:sms_reset_confirm")
    assert sms_outbox == []
    page = client.get(reverse("accounts:sms_reset_confirm")).content.decode()
    assert "如果有账户使用此手机号" in page
    guess = client.post(
        reverse("accounts:sms_reset_confirm"),
        {"code": "123456", "new_password1": "A-long-one-9", "new_password2": "A-long-one-9"},
    )
    assert guess.status_code == 422


def test_reset_by_sms_never_bypasses_the_second_factor(phone_customer, sms_outbox):
    TOTPDevice.objects.create(user=phone_customer, name="app", confirmed=True)
    client = Client()
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    headers = {"X-CSRFToken": token}
    assert (
        client.post(
            "/api/v1/auth/password/reset/sms", {"phone": "13800138000"}, content_type=JSON, headers=headers
        ).status_code
        == 202
    )
    new = "a-new-Secret-phrase-7"
    code = last_code(sms_outbox[-1]["text"])
    done = client.post(
        "/api/v1/auth/password/reset/sms/confirm", {"code": code, "password": new}, content_type=JSON, headers=headers
    )
    assert done.status_code == 204 and SESSION_KEY not in client.session
    signin = client.post(
        "/api/v1/auth/signin", {"login": "13800138000", "password": new}, content_type=JSON, headers=headers
    )
    assert signin.status_code == 202 and signin.json()["code"] == "second_factor_required"
    assert SESSION_KEY not in client.session
    again = client.post(
        "/api/v1/auth/password/reset/sms/confirm", {"code": code, "password": new}, content_type=JSON, headers=headers
    )
    assert again.status_code == 422  # single use


def test_reset_by_sms_is_rate_limited(phone_customer, sms_outbox, settings):
    settings.ZIZHU_RATE_LIMITS = {**settings.ZIZHU_RATE_LIMITS, "reset.account": (3, 300)}
    client = Client()
    answers = [_reset(client, "13800138000").status_code for _ in range(4)]
    assert answers[:3] == [302, 302, 302] or answers[0] == 302
    assert answers[-1] == 429
    assert len(sms_outbox) == 1  # and at most one code a minute for the number


@pytest.mark.postgres
def test_reset_by_sms_takes_the_same_time_for_known_and_unknown_numbers(phone_customer, sms_outbox, settings):
    settings.ZIZHU_AUTH_RESPONSE_FLOOR = {"reset": 0.8}
    settings.ZIZHU_RATE_LIMITS = {
        **settings.ZIZHU_RATE_LIMITS,
        "reset.ip": (1000, 60),
        "reset.account": (1000, 60),
        "otp.send.account": (1000, 60),
        "otp.send.account.hour": (1000, 60),
        "otp.send.ip": (1000, 60),
    }

    def timed(phone: str) -> float:
        started = time.perf_counter()
        assert _reset(Client(), phone).status_code == 302
        return (time.perf_counter() - started) * 1000

    timed("13800138000"), timed("13900000000")  # warm up
    known_times, unknown_times = [], []
    for _ in range(7):  # alternated, so a busy machine slows both alike
        known_times.append(timed("13800138000"))
        unknown_times.append(timed("13900000000"))
    known, unknown = statistics.median(known_times), statistics.median(unknown_times)
    print(f"SMS reset medians: known {known:.1f} ms, unknown {unknown:.1f} ms")
    assert abs(known - unknown) < 10
