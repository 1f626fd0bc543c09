"""API authentication: the browser's session (with CSRF) or a program's bearer token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.security.session import SessionAuth
from ninja.utils import check_csrf

from zizhu.accounts import selectors, services
from zizhu.core.errors import PermissionDenied


class BearerToken(HttpBearer):
    openapi_description = "A token from POST /api/v1/auth/tokens, sent as `Authorization: Bearer <token>`."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = selectors.get_active_token(raw=token)
        if api_token is None:
            return None
        services.touch_api_token(token=api_token)
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


def require_csrf(request: HttpRequest) -> None:
    """For endpoints that start or use a browser session without an auth class."""
    if check_csrf(request) is not None:
        raise PermissionDenied(_("The form has expired. Please reload the page and try again."), code="csrf_failed")


session_auth: APIKeyCookie = SessionAuth(csrf=True)
bearer_auth = BearerToken()
# Either works; the bearer token is tried first so programs skip the CSRF check.
user_auth = [bearer_auth, session_auth]
