"""Operations endpoints and error pages."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the manifest storage of production knows the hashed name.
    return redirect(static("storefront/favicon.svg"), permanent=True)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process answers. Load balancers restart it when this fails."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready: the database and the cache answer. Load balancers route traffic only when this is 200."""
    checks = {"database": _check_database(), "cache": _check_cache()}
    ready = all(checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": {k: "ok" if v else "failed" for k, v in checks.items()}},
        status=200 if ready else 503,
    )


def _check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Readiness: database check failed")
        return False


def _check_cache() -> bool:
    try:
        cache.set("readyz", "1", 10)
        return cache.get("readyz") == "1"
    except Exception:
        logger.exception("Readiness: cache check failed")
        return False


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"code": "not_found", "message": _("We could not find what you were looking for."), "fields": {}},
            status=404,
        )
    return render(request, "storefront/errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    message = _("Something went wrong on our side. Please try again later.")
    if _is_api(request):
        return JsonResponse({"code": "server_error", "message": message, "fields": {}}, status=500)
    try:
        return render(request, "storefront/errors/500.html", status=500)
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        return HttpResponse(message, status=500, content_type="text/plain; charset=utf-8")
