from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

ELDER_COOKIE = "zizhu_elder"


class PreferencesMiddleware:
    """Elder mode for this request: from the account when signed in, else from the cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.elder_mode = bool(getattr(user, "elder_mode", False))  # type: ignore[attr-defined]
        else:
            request.elder_mode = request.COOKIES.get(ELDER_COOKIE) == "1"  # type: ignore[attr-defined]
        return self.get_response(request)
