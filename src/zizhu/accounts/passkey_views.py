"""Passkey pages: the list (rename, remove) with the button that adds one (static/accounts/js/passkeys.js)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zizhu.accounts import audit, passkeys
from zizhu.accounts.security_views import reauth_required
from zizhu.core.errors import DomainError


@reauth_required
@require_GET
def passkeys_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _page(request: HttpRequest, status: int = 200) -> HttpResponse:
    context = {"passkeys": passkeys.list_for(request.user)}  # type: ignore[arg-type]
    return render(request, "accounts/passkeys.html", context, status=status)


def _failed(request: HttpRequest, exc: DomainError) -> HttpResponse:
    # Another person's passkey id is "not found": the page again with the message and its status
    # (404), not a redirect that would look like success to a program.
    messages.error(request, str(exc.message))
    return _page(request, status=exc.status)


@reauth_required
@require_POST
def passkey_rename(request: HttpRequest, passkey_id: int) -> HttpResponse:
    try:
        passkeys.rename(user=request.user, passkey_id=passkey_id, name=request.POST.get("name", ""))  # type: ignore[arg-type]
    except DomainError as exc:
        return _failed(request, exc)
    else:
        messages.success(request, _("The passkey was renamed."))
    return redirect("accounts:passkeys")


@reauth_required
@require_POST
def passkey_remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    try:
        passkey = passkeys.remove(user=request.user, passkey_id=passkey_id)  # type: ignore[arg-type]
    except DomainError as exc:
        return _failed(request, exc)
    else:
        audit.record(
            actor=request.user,
            action=audit.SECURITY_CHANGE,
            target=request.user,
            summary=f"passkey removed: {passkey.name}",
            request=request,
        )  # type: ignore[arg-type]
        messages.success(request, _("The passkey was removed. It can no longer sign in."))
    return redirect("accounts:passkeys")
