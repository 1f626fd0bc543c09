"""Staff fixtures: one member per role (groups come from the migration)."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_staff(make_user):
    from django.contrib.auth.models import Group

    def make(*roles: str, email: str | None = None, **extra: object):
        user = make_user(email, is_staff=True, **extra)
        user.groups.set(Group.objects.filter(name__in=roles))
        return user

    return make


@pytest.fixture
def admin_staff(make_staff):
    return make_staff("admin", email="boss@example.com", display_name="店长")


@pytest.fixture
def service_staff(make_staff):
    return make_staff("customer_service", email="cs@example.com", display_name="客服")


@pytest.fixture
def warehouse_staff(make_staff):
    return make_staff("warehouse", email="wh@example.com", display_name="仓库")


@pytest.fixture
def phone_customer(make_user):
    return make_user("carol@example.com", phone="+8613800138000", display_name="Carol")


@pytest.fixture
def sms_outbox(settings):
    """Text messages sent during the test (the pluggable sender swapped for an in-memory one)."""
    from zizhu.core.sms import MemorySmsSender

    settings.SMS_SENDER = "zizhu.core.sms.MemorySmsSender"
    MemorySmsSender.outbox.clear()
    yield MemorySmsSender.outbox
    MemorySmsSender.outbox.clear()


@pytest.fixture(autouse=True)
def no_floor(settings):
    """Most tests need not wait for the equal-time floor of sign-in answers."""
    settings.ZIZHU_AUTH_RESPONSE_FLOOR = {}


def last_code(text: str) -> str:
    import re

    return re.findall(r"\b(\d{6})\b", text)[-1]


@pytest.fixture
def sign_up(sms_outbox):
    """Complete the two sign-up steps through the pages; returns the confirm response."""
    from django.core import mail
    from django.urls import reverse

    def run(client, login: str, password: str, **extra: str):
        response = client.post(reverse("accounts:signup"), {"login": login, "password": password, **extra})
        assert response.status_code == 302, response.content.decode()[:2000]
        text = sms_outbox[-1]["text"] if "@" not in login else mail.outbox[-1].body
        return client.post(reverse("accounts:signup_confirm"), {"code": last_code(text)})

    return run
