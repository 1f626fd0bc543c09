"""Signed-in devices: listed per person, revoked one by one or all others; a password change ends the others."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import translation

from zizhu.accounts import devices
from zizhu.accounts.models import UserSession

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

CHROME_WIN = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
)
WECHAT_IOS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.50"
)


def sign_in(password, ua, ip, login="alice@example.com"):
    client = Client(HTTP_USER_AGENT=ua, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("accounts:signin"), {"username": login, "password": password})
    assert response.status_code == 302
    return client


def test_places_and_devices_are_worked_out_offline():
    assert devices.place_of("127.0.0.1") == devices.place_of("192.168.1.20") == devices.place_of("::1") == "local"
    assert devices.place_of("36.110.147.7") == "36.110.0.0/16"
    assert devices.place_of("240e:3b4:1234::1") == "240e:3b4::/32"
    with translation.override("en"):
        assert devices.describe_device(CHROME_WIN) == "Chrome on Windows"
        assert devices.describe_device(WECHAT_IOS) == "WeChat on iPhone"
        assert devices.describe_device("python-httpx/0.28") == "A program"


def test_the_devices_page_lists_each_session_and_marks_this_one(customer, password, other_customer):
    laptop = sign_in(password, CHROME_WIN, "36.110.147.7")
    sign_in(password, WECHAT_IOS, "192.168.1.20")
    sign_in(password, CHROME_WIN, "36.110.147.9", login=other_customer.email)
    page = laptop.get(reverse("accounts:devices")).content.decode()
    assert page.count("<tr>") == 3  # header + two of Alice's sessions, none of the other customer's
    assert "Windows 上的 Chrome" in page and "(本设备)" in page  # the account's language: Chinese
    assert "iPhone 上的 WeChat" in page and "本网络" in page and "36.110.0.0/16" in page
    stored = UserSession.objects.filter(user=customer)
    assert all(len(row.key_hash) == 64 and row.session_key not in row.key_hash for row in stored)


def test_last_seen_is_written_at_most_once_a_minute(customer, password):
    with time_machine.travel("2026-11-25 10:00:00+00:00", tick=False) as clock:
        client = sign_in(password, CHROME_WIN, "203.0.113.77")
        first = UserSession.objects.get(user=customer).last_seen_at
        clock.shift(30)
        client.get(reverse("accounts:profile"))
        assert UserSession.objects.get(user=customer).last_seen_at == first
        clock.shift(31)
        client.get(reverse("accounts:profile"))
        assert UserSession.objects.get(user=customer).last_seen_at > first


def test_revoke_one_device(customer, password):
    laptop = sign_in(password, CHROME_WIN, "203.0.113.77")
    phone = sign_in(password, WECHAT_IOS, "192.168.1.20")
    phone_row = UserSession.objects.get(user=customer, user_agent=WECHAT_IOS)
    response = laptop.post(reverse("accounts:device_sign_out", args=[phone_row.pk]))
    assert response.status_code == 302
    assert phone.get(reverse("accounts:profile")).status_code == 302  # signed out
    assert SESSION_KEY not in phone.session
    assert laptop.get(reverse("accounts:profile")).status_code == 200


def test_another_persons_device_is_not_found(customer, password, other_customer):
    sign_in(password, CHROME_WIN, "203.0.113.77", login=other_customer.email)
    theirs = UserSession.objects.get(user=other_customer)
    mine = sign_in(password, CHROME_WIN, "203.0.113.78")
    mine.post(reverse("accounts:device_sign_out", args=[theirs.pk]))
    assert UserSession.objects.filter(pk=theirs.pk).exists()


def test_sign_out_all_others(customer, password):
    clients = [sign_in(password, CHROME_WIN, f"203.0.113.{n}") for n in range(1, 4)]
    clients[0].post(reverse("accounts:devices_sign_out_others"))
    assert clients[0].get(reverse("accounts:profile")).status_code == 200
    assert [c.get(reverse("accounts:profile")).status_code for c in clients[1:]] == [302, 302]
    assert UserSession.objects.filter(user=customer).count() == 1


def test_changing_the_password_ends_the_other_sessions(customer, password):
    here = sign_in(password, CHROME_WIN, "203.0.113.1")
    there = sign_in(password, WECHAT_IOS, "203.0.113.2")
    new = "another-long-secret-88"
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert here.get(reverse("accounts:profile")).status_code == 200
    assert there.get(reverse("accounts:profile")).status_code == 302
    assert UserSession.objects.filter(user=customer).count() == 1


def test_signing_out_forgets_the_session(customer, password):
    client = sign_in(password, CHROME_WIN, "203.0.113.1")
    client.post(reverse("accounts:signout"))
    assert not UserSession.objects.filter(user=customer).exists()
