"""The phone number is encrypted at rest; sign-in, look-ups and uniqueness go through the blind index."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from zizhu.accounts import services
from zizhu.accounts.models import User
from zizhu.core import crypto
from zizhu.core.errors import InvalidInput

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def _raw_row(user: User) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_index FROM accounts_user WHERE id = %s", [user.pk])
        return cursor.fetchone()


def test_phone_is_not_stored_in_plaintext_and_reads_back(make_user):
    user = make_user(phone="+8613800138000")
    phone, index = _raw_row(user)
    assert phone.startswith("v1:embedded:")
    for digits in ("13800138000", "138001", "0138000", "8000"):
        assert digits not in phone and digits not in index
    assert crypto.decrypt(phone, context="user.phone") == "+8613800138000"
    assert User.objects.get(pk=user.pk).phone == "+8613800138000"
    assert index == crypto.blind_index("+8613800138000", purpose="user.phone")


def test_sign_up_and_sign_in_by_mobile_number(client, password, sign_up):
    response = sign_up(client, "138 0013 8000", password)
    assert response.status_code == 302
    client.post(reverse("accounts:signout"))
    response = client.post(reverse("accounts:signin"), {"username": "13800138000", "password": password})
    assert response.status_code == 302
    user = User.objects.get(phone="+8613800138000")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert "13800138000" not in _raw_row(user)[0]


def test_the_same_number_cannot_sign_up_twice(password):
    services.sign_up(login="13800138000", password=password)
    with pytest.raises(InvalidInput):
        services.sign_up(login="+86 138 0013 8000", password=password)
    assert User.objects.count() == 1


def test_uniqueness_is_enforced_by_the_database_through_the_index(make_user):
    make_user(phone="+8613800138000")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(None, "x-password-1", phone="+8613800138000")


def test_changing_the_phone_keeps_the_index_in_step(make_user):
    user = make_user(phone="+8613800138000")
    user.phone = "+8613900139000"
    user.save(update_fields=["phone"])
    assert User.objects.get(phone="+8613900139000") == user
    assert not User.objects.filter(phone="+8613800138000").exists()
    user.phone = None
    user.email = "now-by-email@example.com"
    user.save()
    assert _raw_row(user) == (None, None)


def test_a_tampered_value_is_refused_on_read(make_user):
    user = make_user(phone="+8613800138000")
    swapped = crypto.encrypt("+8613800138000", context="someone.else")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET phone = %s WHERE id = %s", [swapped, user.pk])
    with pytest.raises(crypto.DecryptionError):
        User.objects.get(pk=user.pk)


def test_create_user_stores_the_e164_form(make_user, password, client):
    user = make_user(phone="139 0013 9000")
    assert user.phone == "+8613900139000"
    assert client.post(reverse("accounts:signin"), {"username": "13900139000", "password": password}).status_code == 302
