"""Sign-up, sign-in, sign-out, password reset and profile through the pages."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from zizhu.accounts.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_sign_up_with_email_confirms_by_code_signs_in_and_sends_welcome(
    client, password, sign_up, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "New@Example.com", password)
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert [m.to for m in mail.outbox] == [["new@example.com"], ["new@example.com"]]  # the code, then welcome


def test_sign_up_with_mainland_mobile_number(client, password, sign_up):
    response = sign_up(client, "138 0013 8001", password)
    assert response.status_code == 302
    user = User.objects.get(phone="+8613800138001")
    assert user.email is None and user.login_display == "138****8001"


@pytest.mark.parametrize(
    ("login", "message"),
    [
        ("12345", "mainland China mobile number"),
        ("+12025550123", "mainland China mobile number"),  # a US number
        ("010-12345678", "mainland China mobile number"),  # a Beijing landline
        ("not-an-email@", "valid e-mail"),
        ("", "This field is required"),
    ],
)
def test_sign_up_rejects_bad_logins_and_changes_nothing(client, password, login, message):
    response = client.post(
        reverse("accounts:signup"), {"login": login, "password": password}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert User.objects.count() == 0


def test_sign_up_applies_djangos_password_validators(client):
    for weak in ["12345678", "password", "short1"]:
        response = client.post(reverse("accounts:signup"), {"login": "a@example.com", "password": weak})
        assert response.status_code == 422
    assert User.objects.count() == 0


def test_duplicate_sign_up_creates_nothing_and_tells_the_owner(client, customer, password):
    mail.outbox.clear()
    response = client.post(reverse("accounts:signup"), {"login": "ALICE@example.com", "password": password})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:signup_confirm")
    assert User.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert "already have" in mail.outbox[0].subject or "已有" in mail.outbox[0].subject


def test_sign_in_rotates_the_session_key(client, customer, password):
    client.get(reverse("storefront:home"))
    client.cookies["sessionid"] = "attacker-chosen-session-key-000"
    session = client.session
    session["guest_note"] = "x"
    session.save()
    before = session.session_key
    response = client.post(reverse("accounts:signin"), {"username": "alice@example.com", "password": password})
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before and after != "attacker-chosen-session-key-000"
    assert client.session[SESSION_KEY] == str(customer.pk)


def test_sign_in_by_phone(client, make_user, password):
    user = make_user(phone="+8613900139000")
    response = client.post(reverse("accounts:signin"), {"username": "13900139000", "password": password})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_known_and_unknown_accounts_get_the_same_answer(client, customer, password):
    url = reverse("accounts:signin")
    wrong_password = client.post(url, {"username": "alice@example.com", "password": "wrong-password-1"})
    unknown_account = client.post(url, {"username": "nobody@example.com", "password": "wrong-password-1"})
    not_a_login = client.post(url, {"username": "13", "password": "wrong-password-1"})

    def body(response):
        html = response.content.decode()
        return (
            re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", html)
            .replace('value="nobody@example.com"', 'value="alice@example.com"')
            .replace('value="13"', 'value="alice@example.com"')
        )

    assert wrong_password.status_code == unknown_account.status_code == not_a_login.status_code == 422
    assert body(wrong_password) == body(unknown_account) == body(not_a_login)


def test_next_only_redirects_to_our_own_paths(client, customer, password):
    url = reverse("accounts:signin")
    evil = client.post(url + "?next=https://evil.example/", {"username": "alice@example.com", "password": password})
    assert evil["Location"] == reverse("accounts:profile")
    client.post(reverse("accounts:signout"))
    ours = client.post(url + "?next=/help/", {"username": "alice@example.com", "password": password})
    assert ours["Location"] == "/help/"


def test_sign_out_needs_post_and_ends_the_session(client, customer):
    client.force_login(customer)
    assert client.get(reverse("accounts:signout")).status_code == 405
    client.post(reverse("accounts:signout"))
    assert SESSION_KEY not in client.session


def test_password_reset_by_email_is_single_use(client, customer):
    mail.outbox.clear()
    response = client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    assert response.status_code == 302
    link = re.search(r"https?://[^/]+(/accounts/password/reset/[^\s]+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    new_password = "a-brand-new-secret-77"
    done = client.post(set_url, {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password(new_password)
    # the same link again: refused
    again = client.get(link, follow=True)
    assert "expired or was already used" in again.content.decode() or "已失效" in again.content.decode()


def test_password_reset_answers_the_same_for_unknown_addresses(client, customer):
    mail.outbox.clear()
    known = client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1


def test_profile_requires_sign_in_and_saves_changes(client, customer):
    assert client.get(reverse("accounts:profile")).status_code == 302
    client.force_login(customer)
    response = client.post(
        reverse("accounts:profile"), {"display_name": "Alice W", "language": "en", "elder_mode": "on"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.display_name, customer.language, customer.elder_mode) == ("Alice W", "en", True)
    assert response.cookies["zizhu_lang"].value == "en"


def test_forms_are_csrf_protected():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:signup"), {"login": "x@example.com", "password": "long-enough-pass-1"})
    assert response.status_code == 403
    assert User.objects.count() == 0
    page = strict.get(reverse("accounts:signup"))
    token = page.cookies["csrftoken"].value
    ok = strict.post(
        reverse("accounts:signup"),
        {"login": "x@example.com", "password": "long-enough-pass-1", "csrfmiddlewaretoken": token},
    )
    assert ok.status_code == 302


def test_passwords_are_hashed_with_argon2(settings, make_user):
    from zizhu.config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = make_user("hash@example.com")
    assert user.password.startswith("argon2$argon2id$")
