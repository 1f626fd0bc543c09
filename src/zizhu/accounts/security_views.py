"""Pages of the second sign-in step, re-authentication and the security settings."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zizhu.accounts import audit, mfa, services
from zizhu.accounts.forms import MessageFactorForm, PhraseForm, ReauthForm, SecondFactorForm
from zizhu.accounts.models import Passkey
from zizhu.core.errors import DomainError, RateLimited


def reauth_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Password or second factor within the last 10 minutes, else the re-authentication page first."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:signin')}?{urlencode({'next': request.get_full_path()})}")
        if not mfa.recently_authenticated(request):
            return redirect(f"{reverse('accounts:reauth')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapped


def _audit(request: HttpRequest, summary: str) -> None:
    audit.record(
        actor=request.user, action=audit.SECURITY_CHANGE, target=request.user, summary=summary, request=request
    )  # type: ignore[arg-type]


def _errors_to_form(form: Any, exc: DomainError) -> None:
    if isinstance(exc, RateLimited):
        raise exc
    if not exc.fields:
        form.add_error(None, str(exc.message))
    for field, errors in exc.fields.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


@require_http_methods(["GET", "POST"])
def signin_verify(request: HttpRequest) -> HttpResponse:
    """The second sign-in step: an authenticator code, a code by e-mail/SMS, or a backup code."""
    from zizhu.accounts.views import apply_account_preferences

    user, pending = mfa.pending_user(request)
    if user is None:
        request.session.pop(mfa.PENDING, None)
        messages.error(request, _("Please sign in again."))
        return redirect("accounts:signin")
    available = mfa.methods(user)
    form = SecondFactorForm(request.POST or None, methods=available)
    sent_to = ""
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            channel = mfa.send_code(user=user, request=request)
        except DomainError as exc:
            _errors_to_form(form, exc)
            form.data = {}  # show the error, not a "required" message
        else:
            sent_to = channel
            form = SecondFactorForm(initial={"method": mfa.MESSAGE}, methods=available)
    elif request.method == "POST" and form.is_valid():
        try:
            mfa.verify(user=user, method=form.cleaned_data["method"], code=form.cleaned_data["code"], request=request)
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            request.session.pop(mfa.PENDING, None)
            login(request, user, backend=pending["backend"])  # a new session key, again
            # ``next`` was checked (our own paths only) at the password step
            return apply_account_preferences(request, redirect(pending.get("next") or reverse("accounts:profile")))
    status = 422 if request.method == "POST" and form.errors else 200
    context = {
        "form": form,
        "methods": available,
        "sent_to": sent_to,
        "phrase": getattr(user, "anti_phishing_phrase", ""),
        "has_passkey": mfa.has_passkey(user),
        "passkey_next": pending.get("next") or reverse("accounts:profile"),
    }
    return render(request, "accounts/signin_verify.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def reauth(request: HttpRequest) -> HttpResponse:
    """Confirm it is you (password, or a second factor) before a sensitive change."""
    from zizhu.accounts.views import safe_next

    user = request.user
    form = ReauthForm(request.POST or None, methods=mfa.methods(user))  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        try:
            mfa.reauthenticate(
                request=request,
                user=user,  # type: ignore[arg-type]
                password=form.cleaned_data.get("password"),
                method=form.cleaned_data.get("method"),
                code=form.cleaned_data.get("code"),
            )
        except DomainError as exc:
            _errors_to_form(form, exc)  # a rate limit is re-raised: 429
        else:
            return redirect(safe_next(request, reverse("accounts:security")))
    status = 422 if request.method == "POST" else 200
    context = {
        "form": form,
        "next": safe_next(request, ""),
        "has_passkey": mfa.has_passkey(user),  # type: ignore[arg-type]
        "passkey_next": safe_next(request, reverse("accounts:security")),
    }
    return render(request, "accounts/reauth.html", context, status=status)


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "totp": mfa.totp_device(user),  # type: ignore[arg-type]
        "backup_left": mfa.backup_codes_left(user),  # type: ignore[arg-type]
        "has_factor": mfa.has_second_factor(user),  # type: ignore[arg-type]
        "passkey_count": Passkey.objects.filter(user=user).count(),  # type: ignore[misc]
    }
    return render(request, "accounts/security.html", context)


@reauth_required
@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: a QR code drawn here (inline SVG) and the key to type, then a code."""
    user = request.user
    form = SecondFactorForm(request.POST or None, methods=[mfa.TOTP])
    device = mfa.pending_totp(user) if request.method == "POST" else None  # type: ignore[arg-type]
    if request.method == "POST" and device is not None and form.is_valid():
        try:
            backup = mfa.confirm_totp(user=user, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            _audit(request, "authenticator app set up")
            messages.success(request, _("Your authenticator app is set up. Sign-in now asks for its code."))
            if backup:
                request.session["zizhu_new_backup_codes"] = backup
                return redirect("accounts:backup_codes")
            return redirect("accounts:security")
    if device is None:
        device = mfa.start_totp(user=user)  # type: ignore[arg-type]
    context = {"form": form, "qr": mfa.qr_svg(device), "key": mfa.manual_key(device)}
    return render(request, "accounts/totp_setup.html", context, status=422 if form.errors else 200)


@reauth_required
@require_http_methods(["GET", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes are shown once (right after making them)."""
    fresh = request.session.pop("zizhu_new_backup_codes", None)
    if request.method == "POST":
        fresh = mfa.new_backup_codes(user=request.user)  # type: ignore[arg-type]
        _audit(request, "new backup codes")
        messages.success(request, _("New backup codes were made. The old ones no longer work."))
    context = {"codes": fresh, "left": mfa.backup_codes_left(request.user)}  # type: ignore[arg-type]
    return render(request, "accounts/backup_codes.html", context)


@reauth_required
@require_http_methods(["GET", "POST"])
def message_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = MessageFactorForm(request.POST or None, initial={"channel": user.otp_channel})  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        try:
            backup = mfa.set_message_factor(user=user, channel=form.cleaned_data["channel"])  # type: ignore[arg-type]
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            _audit(request, f"codes by message: {form.cleaned_data['channel'] or 'off'}")
            messages.success(request, _("Your sign-in settings were saved."))
            if backup:
                request.session["zizhu_new_backup_codes"] = backup
                return redirect("accounts:backup_codes")
            return redirect("accounts:security")
    return render(request, "accounts/message_factor.html", {"form": form}, status=422 if form.errors else 200)


@reauth_required
@require_POST
def totp_remove(request: HttpRequest) -> HttpResponse:
    mfa.remove_totp(user=request.user)  # type: ignore[arg-type]
    _audit(request, "authenticator app removed")
    messages.success(request, _("The authenticator app was removed."))
    return redirect("accounts:security")


@reauth_required
@require_http_methods(["GET", "POST"])
def phrase(request: HttpRequest) -> HttpResponse:
    """Choose the anti-phishing phrase (stored encrypted)."""
    user = request.user
    form = PhraseForm(request.POST or None, initial={"phrase": user.anti_phishing_phrase})  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        try:
            services.set_anti_phishing_phrase(user=user, phrase=form.cleaned_data["phrase"])  # type: ignore[arg-type]
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            _audit(request, "anti-phishing phrase changed")
            messages.success(request, _("Your anti-phishing phrase was saved."))
            return redirect("accounts:security")
    return render(request, "accounts/phrase.html", {"form": form}, status=422 if form.errors else 200)
