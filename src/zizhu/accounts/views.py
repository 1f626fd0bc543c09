"""Account pages: thin views over the account services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zizhu.accounts import selectors, services
from zizhu.accounts.forms import ProfileForm, SignInForm, SignUpForm, TokenForm
from zizhu.accounts.middleware import ELDER_COOKIE
from zizhu.core.errors import DomainError


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


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_up(
                login=form.cleaned_data["login"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
                language=request.LANGUAGE_CODE,
            )
        except DomainError as exc:
            _add_domain_errors(form, exc)
        else:
            login(request, user, backend="zizhu.accounts.backends.EmailOrPhoneBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return apply_account_preferences(request, redirect(safe_next(request, reverse_lazy("accounts:profile"))))
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/signup.html", {"form": form, "next": safe_next(request, "")}, status=status)


def _add_domain_errors(form: SignUpForm, exc: DomainError) -> None:
    if not exc.fields:
        form.add_error(None, str(exc.message))
    for field, errors in exc.fields.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


class SignInView(auth_views.LoginView):
    template_name = "accounts/signin.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:
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
    context = {"form": form, "tokens": selectors.list_api_tokens(user=request.user), "new_token": new_token}
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.revoke_api_token(user=request.user, token_id=token_id)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The token was revoked. Programs using it can no longer sign in."))
    return redirect("accounts:tokens")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)
