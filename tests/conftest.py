"""Shared fixtures. The suite runs on PostgreSQL + Redis (make test) and a smoke subset on SQLite."""

from __future__ import annotations

import pytest
from django.db import connection

FAST_HASHERS = [
    # Argon2 is the real hasher (see tests/accounts/test_passwords.py); tests use a fast one
    # for the many accounts they create. Argon2 stays listed so its hashes still verify.
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
PASSWORD = "correct-horse-battery-42"


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (make test runs it there)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def make_user(db):
    from zizhu.accounts.models import User

    counter = {"n": 0}

    def make(email: str | None = None, phone: str | None = None, **extra: object) -> User:
        counter["n"] += 1
        if email is None and phone is None:
            email = f"customer{counter['n']}@example.com"
        return User.objects.create_user(email, PASSWORD, phone=phone, **extra)

    return make


@pytest.fixture
def customer(make_user):
    return make_user("alice@example.com", display_name="Alice")


@pytest.fixture
def other_customer(make_user):
    return make_user("bob@example.com", display_name="Bob")
