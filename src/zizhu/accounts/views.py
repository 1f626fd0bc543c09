"""Account pages: thin views over the account services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zizhu.accounts import mfa, protection, selectors, services
from zizhu.accounts.audit import client_ip
from zizhu.accounts.forms import CodeForm, ProfileForm, SignInForm, SignUpForm, TokenForm
from zizhu.accounts.middleware import ELDER_COOKIE
from zizhu.core.errors import DomainError, RateLimited


def safe_next(request: HttpRequest, default: str) -> str:
    """Only our own paths: a `next` pointing elsewhere is ignored."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def apply_account_preferences(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """After sign-in: an elder-mode choice made as a guest is kept; the account's language applies."""
    user = request.user
    if request.COOKIES.get(ELDER_COOKIE) == "1" and not user.elder_mode:
        services.set_elder_mode(user=user, enabled=True)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        user.language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
    )
    return response


PENDING_SIGN_UP = "zizhu_pending_sign_up"


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Step 1: the same answer for a new login and one that already has an account ("check your messages")."""
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        with protection.equal_time("signup"):
            protection.guard(request, "signup", request.POST.get("login", ""))
            if form.is_valid():
                try:
                    pending = services.start_sign_up(
                        login=form.cleaned_data["login"],
                        password=form.cleaned_data["password"],
                        display_name=form.cleaned_data["display_name"],
                        language=request.LANGUAGE_CODE,
                        ip=client_ip(request),
                    )
                except DomainError as exc:
                    if isinstance(exc, RateLimited):
                        raise
                    _add_domain_errors(form, exc)
                else:
                    request.session[PENDING_SIGN_UP] = {"id": pending.pk, "next": safe_next(request, "")}
                    return redirect("accounts:signup_confirm")
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/signup.html", {"form": form, "next": safe_next(request, "")}, status=status)


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the e-mail or SMS creates the account and signs in."""
    pending = request.session.get(PENDING_SIGN_UP)
    if not pending:
        return redirect("accounts:signup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        protection.guard(request, "otp.verify", f"signup:{pending['id']}")
        try:
            user = services.confirm_sign_up(pending_id=pending["id"], code=form.cleaned_data["code"])
        except DomainError as exc:
            _add_domain_errors(form, exc)
        else:
            request.session.pop(PENDING_SIGN_UP, None)
            login(request, user, backend="zizhu.accounts.backends.EmailOrPhoneBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            target = pending.get("next") or reverse("accounts:profile")
            return apply_account_preferences(request, redirect(target))
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/signup_confirm.html", {"form": form}, status=status)


def _add_domain_errors(form: Any, exc: DomainError) -> None:
    if not exc.fields:
        form.add_error(None, str(exc.message))
    for field, errors in exc.fields.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


class SignInView(auth_views.LoginView):
    template_name = "accounts/signin.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with protection.equal_time("signin"):
            protection.guard(request, "signin", request.POST.get("username", ""))
            return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["passkey_next"] = safe_next(self.request, reverse("accounts:profile"))
        return context

    def form_valid(self, form: SignInForm) -> HttpResponse:
        user = form.get_user()
        if mfa.has_second_factor(user):
            # Not signed in yet: the second step signs in (and rotates the session key again).
            mfa.start_pending(self.request, user, backend=user.backend, next_url=safe_next(self.request, ""))
            return redirect("accounts:signin_verify")
        response = super().form_valid(form)  # django.contrib.auth.login: a new session key
        return apply_account_preferences(self.request, response)

    def form_invalid(self, form: SignInForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 422
        return response


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.update_profile(
            user=request.user,
            display_name=form.cleaned_data["display_name"],
            language=form.cleaned_data["language"],
            elder_mode=form.cleaned_data["elder_mode"],
        )
        messages.success(request, _("Your profile was saved."))
        response = redirect("accounts:profile")
        return apply_account_preferences(request, response) if user else response
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/profile.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.create_api_token(user=request.user, name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error("name", str(exc.message))
        else:
            form = TokenForm()
    status = 422 if request.method == "POST" and form.errors else 200
    return _tokens_page(request, form, new_token=new_token, status=status)


def _tokens_page(
    request: HttpRequest, form: TokenForm, *, new_token: str | None = None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "tokens": selectors.list_api_tokens(user=request.user), "new_token": new_token}
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.revoke_api_token(user=request.user, token_id=token_id)
    except DomainError as exc:
        # Someone else's token (or one already gone): the list again with the message, and the
        # error status (404), not a redirect that would look like success to a program.
        messages.error(request, str(exc.message))
        return _tokens_page(request, TokenForm(), status=exc.status)
    else:
        messages.success(request, _("The token was revoked. Programs using it can no longer sign in."))
    return redirect("accounts:tokens")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The same page, in the same time, whether an account has this address or not.
        with protection.equal_time("reset"):
            protection.guard(request, "reset", request.POST.get("email", ""))
            return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)  # does not sign in: the next sign-in asks for any second factor
        services.sign_out_other_devices(user=form.user, current_session_key=None)  # every session ends
        return response


@login_required
def devices_page(request: HttpRequest) -> HttpResponse:
    """Signed-in devices: revoke one, or all others."""
    from zizhu.accounts import devices

    current = devices.key_hash(request.session.session_key or "")
    rows = [
        {
            "id": row.pk,
            "device": devices.describe_device(row.user_agent),
            "place": devices.describe_place(row.place),
            "created_at": row.created_at,
            "last_seen_at": row.last_seen_at,
            "current": row.key_hash == current,
            "short_hash": row.key_hash[:8],
        }
        for row in devices.active_sessions(request.user)
    ]
    return render(request, "accounts/devices.html", {"rows": rows})


@login_required
@require_POST
def device_sign_out(request: HttpRequest, device_id: int) -> HttpResponse:
    try:
        services.sign_out_device(user=request.user, device_id=device_id)
    except DomainError as exc:
        # Another person's session id is "not found": the page again with the message and a 404.
        messages.error(request, str(exc.message))
        response = devices_page(request)
        response.status_code = exc.status
        return response
    else:
        messages.success(request, _("That device was signed out."))
    return redirect("accounts:devices")


@login_required
@require_POST
def devices_sign_out_others(request: HttpRequest) -> HttpResponse:
    count = services.sign_out_other_devices(user=request.user, current_session_key=request.session.session_key)
    messages.success(request, _("Signed out of %(count)d other devices.") % {"count": count})
    return redirect("accounts:devices")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not mfa.recently_authenticated(request):
            return redirect(f"{reverse('accounts:reauth')}?next={request.path}")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session signed in
        ended = services.sign_out_other_devices(
            user=self.request.user, current_session_key=self.request.session.session_key
        )
        messages.success(self.request, _("Your password was changed."))
        if ended:
            messages.info(self.request, _("Your other devices were signed out."))
        return response
