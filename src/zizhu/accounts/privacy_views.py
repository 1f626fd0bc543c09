"""Pages: download my data (a zip of JSON files) and delete my account (re-authentication + a typed word)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zizhu.accounts import privacy
from zizhu.accounts.forms import DeleteAccountForm
from zizhu.accounts.security_views import reauth_required
from zizhu.core.errors import DomainError


def confirmation_words() -> set[str]:
    """The word the person types: the one shown in their language, or the English one."""
    return {_("DELETE").strip().casefold(), "delete"}


def zip_response(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    name = f"zizhu-my-data-{timezone.now():%Y%m%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def privacy_page(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/privacy.html", {"sections": privacy.sections()})


@reauth_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    return zip_response(privacy.export_zip(user=request.user, request=request))  # type: ignore[arg-type]


@reauth_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirm"].strip().casefold() not in confirmation_words():
            form.add_error("confirm", _("Type the word exactly as shown to confirm."))
        else:
            try:
                privacy.delete_account(user=request.user, request=request)  # type: ignore[arg-type]
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
                return render(
                    request, "accounts/delete_account.html", {"form": form, "word": _("DELETE")}, status=status
                )
            logout(request)
            messages.success(request, _("Your account was deleted. We are sorry to see you go."))
            return redirect("storefront:home")
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/delete_account.html", {"form": form, "word": _("DELETE")}, status=status)
