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
