"""`manage.py rotate_keys`: re-encrypts under the newest key, in batches, resumable after interruption."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.management import call_command
from django.db import connection

from zizhu.accounts import keys
from zizhu.accounts.models import User
from zizhu.core import crypto

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

OLD = "old:" + base64.b64encode(b"o" * 32).decode()
NEW = "new:" + base64.b64encode(b"n" * 32).decode()
PHONES = [f"+86138{n:08d}" for n in range(23)]


class Interrupted(Exception):
    pass


def _key_ids() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE phone IS NOT NULL ORDER BY id")
        return [crypto.token_key_id(row[0]) for row in cursor.fetchall()]


@pytest.fixture
def people(settings, make_user):
    settings.FIELD_ENCRYPTION_KEYS = OLD
    users = [make_user(phone=phone) for phone in PHONES]
    make_user("no-phone@example.com")
    settings.FIELD_ENCRYPTION_KEYS = f"{NEW},{OLD}"  # a new key in front, the old one kept to read
    return users


def test_interrupted_rotation_leaves_everything_readable_and_a_second_run_finishes(settings, people, client, password):
    batches = []

    def stop_after_two_batches(model, count):
        batches.append(count)
        if len(batches) == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        keys.rotate_model(User, crypto.encrypted_fields(User), batch_size=5, on_batch=stop_after_two_batches)
    assert sorted(_key_ids()).count("new") == 10 and _key_ids().count("old") == 13  # two batches committed
    assert sorted(u.phone for u in User.objects.filter(phone__isnull=False)) == PHONES  # every value readable
    assert client.post("/accounts/signin/", {"username": PHONES[20][3:], "password": password}).status_code == 302

    out = io.StringIO()
    call_command("rotate_keys", "--batch-size", "5", stdout=out)
    assert "Re-encrypting accounts.User (phone, anti_phishing_phrase)" in out.getvalue()
    assert "Every encrypted value is under the key 'new'" in out.getvalue()
    assert set(_key_ids()) == {"new"}

    settings.FIELD_ENCRYPTION_KEYS = NEW  # the old key can go now
    assert sorted(u.phone for u in User.objects.filter(phone__isnull=False)) == PHONES
    assert User.objects.get(phone=PHONES[7]) == people[7]  # the blind index did not change


def test_rotation_skips_rows_already_under_the_newest_key(settings, people):
    assert [p.count for p in keys.pending() if p.model is User] == [len(PHONES)]
    call_command("rotate_keys", stdout=io.StringIO())
    assert [p.count for p in keys.pending() if p.model is User] == [0]
    done = keys.rotate_model(User, crypto.encrypted_fields(User), on_batch=None)
    assert done == 0


def test_dry_run_changes_nothing(people):
    out = io.StringIO()
    call_command("rotate_keys", "--dry-run", stdout=out)
    assert f"Values under older keys: {len(PHONES)}" in out.getvalue()
    assert set(_key_ids()) == {"old"}


def test_reindex_after_the_blind_index_key_changed(settings, people):
    settings.BLIND_INDEX_KEY = base64.b64encode(b"a-new-blind-index-secret-32bytes").decode()
    assert not User.objects.filter(phone=PHONES[3]).exists()  # stale index
    call_command("rotate_keys", "--reindex", stdout=io.StringIO())
    assert User.objects.get(phone=PHONES[3]) == people[3]
