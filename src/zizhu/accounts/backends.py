from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.http import HttpRequest

_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash of a random secret made by the current default hasher (checked, never matched)."""
    hasher = get_hasher()
    if hasher.algorithm not in _DUMMY:
        _DUMMY[hasher.algorithm] = make_password(secrets.token_urlsafe(16), hasher=hasher)
    return _DUMMY[hasher.algorithm]


class EmailOrPhoneBackend(ModelBackend):
    """Sign in with an e-mail address or a mainland mobile number.

    An unknown login still costs one password hash, so known and unknown accounts
    take the same time to answer and cannot be told apart.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None or password is None:
            return None
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            check_password(password, _dummy_hash())  # the same work as for a known account
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
