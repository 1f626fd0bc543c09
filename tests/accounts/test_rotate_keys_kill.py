"""rotate_keys killed (SIGKILL) in the middle: every value stays readable, a second run finishes."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from zizhu.accounts.models import User
from zizhu.core import crypto

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
OLD = "old:" + base64.b64encode(b"o" * 32).decode()
NEW = "new:" + base64.b64encode(b"n" * 32).decode()
COUNT = 1500


def _under_new() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user WHERE phone LIKE 'v1:new:%%'")
        return cursor.fetchone()[0]


def _env() -> dict[str, str]:
    s = connection.settings_dict
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}",
        "FIELD_ENCRYPTION_KEYS": f"{NEW},{OLD}",
    }


def test_killed_rotation_resumes(settings):
    settings.FIELD_ENCRYPTION_KEYS = OLD
    phones = [f"+86139{n:08d}" for n in range(COUNT)]
    User.objects.bulk_create(User(email=f"p{n}@example.com", phone=p, password="!") for n, p in enumerate(phones))
    command = [sys.executable, "manage.py", "rotate_keys", "--batch-size", "5"]
    process = subprocess.Popen(command, cwd=REPO, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _under_new() == 0 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    done = _under_new()
    assert 0 < done < COUNT, f"{done} of {COUNT} rotated when killed"

    settings.FIELD_ENCRYPTION_KEYS = f"{NEW},{OLD}"
    assert sorted(User.objects.values_list("phone", flat=True)) == phones  # all readable, old or new key
    assert User.objects.get(phone=phones[-1]).email == f"p{COUNT - 1}@example.com"

    again = subprocess.run(command, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"Values under older keys: {COUNT - done}" in again.stdout
    assert _under_new() == COUNT
    settings.FIELD_ENCRYPTION_KEYS = NEW
    assert sorted(User.objects.values_list("phone", flat=True)) == phones
    assert {crypto.token_key_id(t) for t in _raw_tokens()} == {"new"}


def _raw_tokens() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user")
        return [row[0] for row in cursor.fetchall()]
