"""The anti-phishing phrase: chosen behind re-authentication, stored encrypted, shown on the second
sign-in step, on payment confirmation and in every account e-mail."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from zizhu.accounts import mfa

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

PHRASE = "蓝色风筝 blue kite"


@pytest.fixture
def with_phrase(customer):
    customer.anti_phishing_phrase = PHRASE
    customer.save(update_fields=["anti_phishing_phrase"])
    return customer


def test_the_phrase_is_chosen_behind_reauth_and_stored_encrypted(client, customer):
    with time_machine.travel("2026-11-25 10:00:00+00:00", tick=False) as clock:
        client.force_login(customer)
        assert client.post(reverse("accounts:phrase"), {"phrase": PHRASE}).status_code == 302
        clock.shift(11 * 60)
        assert client.post(reverse("accounts:phrase"), {"phrase": "other"})["Location"].startswith(
            reverse("accounts:reauth")
        )
    customer.refresh_from_db()
    assert customer.anti_phishing_phrase == PHRASE
    with connection.cursor() as cursor:
        cursor.execute("SELECT anti_phishing_phrase FROM accounts_user WHERE id = %s", [customer.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1:") and "kite" not in stored


def test_a_too_short_phrase_is_refused(client, customer):
    client.force_login(customer)
    assert client.post(reverse("accounts:phrase"), {"phrase": "x"}).status_code == 422


def test_the_phrase_is_shown_on_the_second_sign_in_step_only(client, with_phrase, password):
    TOTPDevice.objects.create(user=with_phrase, name="app", confirmed=True)
    signin_page = client.get(reverse("accounts:signin")).content.decode()
    assert PHRASE not in signin_page  # before the account step nobody knows whose phrase to show
    client.post(reverse("accounts:signin"), {"username": "alice@example.com", "password": password})
    step_two = client.get(reverse("accounts:signin_verify")).content.decode()
    assert PHRASE in step_two


def test_the_phrase_is_in_every_account_email(client, with_phrase, password, settings):
    # password reset
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    # a one-time code
    mfa.send_code(user=with_phrase)
    # a sign-up attempt with the taken address
    Client().post(reverse("accounts:signup"), {"login": "alice@example.com", "password": "some-long-pass-1"})
    # the welcome e-mail (rendered as the events handler does)
    welcome = render_to_string("accounts/email/welcome.txt", {"user": with_phrase})
    bodies = [m.body for m in mail.outbox] + [welcome]
    assert len(bodies) == 4
    for body in bodies:
        assert PHRASE in body, body


def test_no_phrase_no_line(client, customer):
    mfa.send_code(user=customer)
    assert not re.search(r"anti-phishing|防钓鱼", mail.outbox[-1].body)


def test_the_payment_confirmation_include_shows_it(rf, with_phrase):
    html = render_to_string("accounts/partials/anti_phishing.html", {"phrase": with_phrase.anti_phishing_phrase})
    assert PHRASE in html and 'role="note"' in html
