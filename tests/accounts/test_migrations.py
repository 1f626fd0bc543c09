"""Migration accounts/0002 encrypts phone numbers stored in plaintext by 0001 (and back)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zizhu.core import crypto

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.smoke]

BEFORE = [("accounts", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == "accounts"]


def test_existing_plaintext_phones_are_encrypted_and_indexed():
    latest = _latest()
    try:
        old_apps = _migrate(BEFORE)
        old_user = old_apps.get_model("accounts", "User")
        old_user.objects.create(email="old@example.com", phone="+8613800138000", password="!")
        old_user.objects.create(email="nophone@example.com", password="!")
        _migrate(latest)
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone, phone_index FROM accounts_user WHERE email = 'old@example.com'")
            phone, index = cursor.fetchone()
        assert crypto.is_token(phone) and "13800138000" not in phone
        assert index == crypto.blind_index("+8613800138000", purpose="user.phone")
        from zizhu.accounts.models import User

        assert User.objects.get(phone="+8613800138000").email == "old@example.com"
        _migrate(BEFORE)  # and back: plaintext again
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone FROM accounts_user WHERE email = 'old@example.com'")
            assert cursor.fetchone()[0] == "+8613800138000"
    finally:
        _migrate(latest)
