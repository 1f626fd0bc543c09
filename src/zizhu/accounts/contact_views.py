"""Pages: change the sign-in e-mail or mobile number (behind re-authentication), reset the password by SMS."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zizhu.accounts import contact, protection
from zizhu.accounts.forms import CodeForm, NewEmailForm, NewPhoneForm, SmsResetConfirmForm, SmsResetForm
from zizhu.accounts.masking import mask_email, mask_phone
from zizhu.accounts.security_views import _errors_to_form, reauth_required
from zizhu.core.errors import DomainError

PENDING_CHANGE = "zizhu_contact_change"
PENDING_RESET = "zizhu_sms_reset"


def _change(request: HttpRequest, kind: str) -> HttpResponse:
    """Step 1 (the new value) and step 2 (the code sent to it) on one page."""
    user = request.user
    pending = request.session.get(PENDING_CHANGE) or {}
    waiting = pending.get("kind") == kind
    value_form = (NewEmailForm if kind == contact.EMAIL else NewPhoneForm)(
        request.POST if request.POST.get("step") == "value" else None
    )
    code_form = CodeForm(request.POST if request.POST.get("step") == "code" else None)
    if request.method == "POST" and request.POST.get("step") == "value" and value_form.is_valid():
        try:
            new = contact.start_change(user=user, kind=kind, value=value_form.cleaned_data["value"], request=request)  # type: ignore[arg-type]
        except DomainError as exc:
            _errors_to_form(value_form, _as_value_error(exc))
        else:
            request.session[PENDING_CHANGE] = {
                "kind": kind,
                "to": mask_email(new) if kind == "email" else mask_phone(new),
            }
            return redirect(request.path)
    elif request.method == "POST" and request.POST.get("step") == "code" and waiting and code_form.is_valid():
        protection.guard(request, "otp.verify", f"user:{user.pk}")
        try:
            contact.confirm_change(user=user, kind=kind, code=code_form.cleaned_data["code"], request=request)  # type: ignore[arg-type]
        except DomainError as exc:
            _errors_to_form(code_form, exc)
        else:
            request.session.pop(PENDING_CHANGE, None)
            if kind == contact.EMAIL:
                messages.success(request, _("Your e-mail address was changed. We told your old address."))
            else:
                messages.success(request, _("Your mobile number was changed."))
            return redirect("accounts:security")
    context = {
        "kind": kind,
        "current": user.email if kind == contact.EMAIL else mask_phone(user.phone or ""),  # type: ignore[union-attr]
        "value_form": value_form,
        "code_form": code_form,
        "waiting": waiting,
        "sent_to": pending.get("to", ""),
    }
    failed = request.method == "POST" and (value_form.errors or code_form.errors)
    return render(request, "accounts/change_contact.html", context, status=422 if failed else 200)


def _as_value_error(exc: DomainError) -> DomainError:
    """The service names the field ``email``/``phone``; the page's field is ``value``."""
    exc.fields = {("value" if key in ("email", "phone") else key): errors for key, errors in exc.fields.items()}
    return exc


@reauth_required
@require_http_methods(["GET", "POST"])
def change_email(request: HttpRequest) -> HttpResponse:
    return _change(request, contact.EMAIL)


@reauth_required
@require_http_methods(["GET", "POST"])
def change_phone(request: HttpRequest) -> HttpResponse:
    return _change(request, contact.PHONE)


@require_http_methods(["GET", "POST"])
def sms_reset(request: HttpRequest) -> HttpResponse:
    """The same answer, in the same time, whether an account has this number or not."""
    form = SmsResetForm(request.POST or None)
    if request.method == "POST":
        with protection.equal_time("reset"):
            protection.guard(request, "reset", request.POST.get("phone", ""))
            if form.is_valid():
                try:
                    pending = contact.start_sms_reset(phone=form.cleaned_data["phone"], request=request)
                except DomainError as exc:
                    _errors_to_form(form, exc)
                else:
                    request.session[PENDING_RESET] = {"id": pending.pk}
                    return redirect("accounts:sms_reset_confirm")
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/sms_reset.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def sms_reset_confirm(request: HttpRequest) -> HttpResponse:
    pending: dict[str, Any] = request.session.get(PENDING_RESET) or {}
    if not pending:
        return redirect("accounts:sms_reset")
    form = SmsResetConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        protection.guard(request, "otp.verify", f"reset:{pending['id']}")
        try:
            contact.finish_sms_reset(
                code_id=pending["id"],
                code=form.cleaned_data["code"],
                password=form.cleaned_data["new_password1"],
                request=request,
            )
        except DomainError as exc:
            if "password" in exc.fields:
                exc.fields = {"new_password1": exc.fields["password"]}
            _errors_to_form(form, exc)
        else:
            request.session.pop(PENDING_RESET, None)
            messages.success(request, _("Your password was reset. Sign in with the new password."))
            return redirect("accounts:signin")
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/sms_reset_confirm.html", {"form": form}, status=status)
