from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


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
            user_model().set_password(password)  # equal work for unknown accounts
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
