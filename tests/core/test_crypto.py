"""Field encryption: AES-256-GCM tokens with key ids, tampering detected, rotation, blind index."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured

from zizhu.core import crypto

pytestmark = pytest.mark.smoke

K1 = "k1:" + base64.b64encode(b"1" * 32).decode()
K2 = "k2:" + base64.b64encode(b"2" * 32).decode()


def test_round_trip_names_the_newest_key_and_hides_the_text(settings):
    settings.FIELD_ENCRYPTION_KEYS = f"{K2},{K1}"
    token = crypto.encrypt("+8613800138000", context="user.phone")
    assert token.startswith("v1:k2:") and "13800138000" not in token
    assert crypto.token_key_id(token) == "k2"
    assert crypto.decrypt(token, context="user.phone") == "+8613800138000"
    assert crypto.encrypt("same", context="c") != crypto.encrypt("same", context="c")  # a fresh nonce each time
    assert crypto.decrypt(crypto.encrypt("北京市朝阳区建国路 88 号"), context="") == "北京市朝阳区建国路 88 号"


@pytest.mark.parametrize("position", [10, 20, -1])
def test_tampering_is_detected_by_the_gcm_tag(settings, position):
    settings.FIELD_ENCRYPTION_KEYS = K1
    token = crypto.encrypt("+8613800138000", context="user.phone")
    header, body = token.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[position] ^= 0x01
    forged = header + ":" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(forged, context="user.phone")


def test_a_token_cannot_be_moved_to_another_field_or_key_id(settings):
    settings.FIELD_ENCRYPTION_KEYS = f"{K1},{K2}"
    token = crypto.encrypt("secret", context="user.phone")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="address.line")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token.replace("v1:k1:", "v1:k2:"), context="user.phone")


def test_unknown_key_id_is_a_clear_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = K2
    token = crypto.encrypt("x")
    settings.FIELD_ENCRYPTION_KEYS = K1
    with pytest.raises(crypto.DecryptionError, match="Unknown encryption key id 'k2'"):
        crypto.decrypt(token)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("+8613800138000")  # plaintext is not a token


def test_rotation_with_two_keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = K1
    old = crypto.encrypt("value", context="c")
    settings.FIELD_ENCRYPTION_KEYS = f"{K2},{K1}"  # a new key in front; the old one stays to read
    assert crypto.decrypt(old, context="c") == "value"
    new = crypto.encrypt(crypto.decrypt(old, context="c"), context="c")
    assert crypto.token_key_id(new) == "k2"
    settings.FIELD_ENCRYPTION_KEYS = K2  # after rotate_keys the old key can be removed
    assert crypto.decrypt(new, context="c") == "value"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "at least one key"),
        ("k1:" + base64.b64encode(b"short").decode(), "5 bytes"),
        ("k1:not base64!", "not valid base64"),
        ("bad id:" + base64.b64encode(b"1" * 32).decode(), "keyid:base64key"),
        (f"{K1},{K1}", "twice"),
    ],
)
def test_bad_key_settings_are_refused(raw, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.parse_keys(raw)


def test_the_default_embedded_key_is_valid():
    from zizhu.config import settings as project_settings

    ring = crypto.parse_keys(project_settings.FIELD_ENCRYPTION_KEYS)
    assert len(ring.keys[ring.newest]) == 32


def test_blind_index_is_stable_per_purpose_and_independent_of_encryption_keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = K1
    first = crypto.blind_index("+8613800138000", purpose="user.phone")
    settings.FIELD_ENCRYPTION_KEYS = f"{K2},{K1}"
    assert crypto.blind_index("+8613800138000", purpose="user.phone") == first
    assert crypto.blind_index("+8613800138000", purpose="passenger.id") != first
    assert crypto.blind_index("+8613800138001", purpose="user.phone") != first
    assert len(first) == 64 and "13800138000" not in first
    settings.BLIND_INDEX_KEY = base64.b64encode(b"another-secret-of-32-bytes-00000").decode()
    assert crypto.blind_index("+8613800138000", purpose="user.phone") != first


@pytest.mark.django_db
def test_blind_index_look_up_and_refused_look_ups(make_user):
    from zizhu.accounts.models import User

    user = make_user(phone="+8613700137000")
    assert User.objects.get(phone="+8613700137000") == user
    assert not User.objects.filter(phone="+8613700137001").exists()
    assert User.objects.filter(phone__isnull=False).count() == 1
    assert User.objects.filter(phone__key_id="embedded").count() == 1
    with pytest.raises(FieldError, match="encrypted"):
        list(User.objects.filter(phone__contains="1370"))


def test_bad_keys_fail_the_system_check(settings):
    assert crypto.check_settings() == []
    settings.FIELD_ENCRYPTION_KEYS = "k1:" + base64.b64encode(b"16-byte-key-0000").decode()
    settings.BLIND_INDEX_KEY = base64.b64encode(b"too short").decode()
    assert [error.id for error in crypto.check_settings()] == ["zizhu.E001", "zizhu.E002"]


def test_check_runs_at_start_up():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["FIELD_ENCRYPTION_KEYS"] = "k1:" + base64.b64encode(b"x" * 31).decode()
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "zizhu.E001" in result.stderr and "31 bytes" in result.stderr
