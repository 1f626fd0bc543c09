"""Storefront pages: home, help, search, and the layout's switches (language, elder mode)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import check_for_language
from django.views.decorators.http import require_GET, require_POST

from zizhu.accounts import services as account_services
from zizhu.accounts.middleware import ELDER_COOKIE
from zizhu.accounts.views import safe_next
from zizhu.storefront.help_topics import TOPICS


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "storefront/home.html")


@require_GET
def help_centre(request: HttpRequest) -> HttpResponse:
    return render(request, "storefront/help.html", {"topics": TOPICS})


@require_POST
def set_elder_mode(request: HttpRequest) -> HttpResponse:
    """The header switch: remembered in a cookie, and on the account when signed in."""
    enabled = request.POST.get("enabled") == "1"
    if request.user.is_authenticated:
        account_services.set_elder_mode(user=request.user, enabled=enabled)
    response = redirect(safe_next(request, "/"))
    response.set_cookie(
        ELDER_COOKIE,
        "1" if enabled else "0",
        max_age=60 * 60 * 24 * 365,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
    return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switch; also saved on the account when signed in."""
    language = request.POST.get("language", "")
    response = redirect(safe_next(request, "/"))
    if not check_for_language(language) or language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        account_services.update_profile(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
