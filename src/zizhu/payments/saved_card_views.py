"""Saved cards' pages: the account's list (remove a card), and paying with one (from the pay page, the
checkout's review step and after the second factor). Thin: ``saved_cards`` does the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zizhu.core.errors import DomainError
from zizhu.core.money import Money
from zizhu.payments import password_free, saved_cards, selectors
from zizhu.payments.access import gateway_urls
from zizhu.payments.models import Payment
from zizhu.payments.risk.assess import SecondFactorRequired

PREFIX = "saved:"


def card_id_of(method: str) -> str:
    """``saved:<id>`` (a saved card chosen as the way to pay) → the id; anything else → ""."""
    value = method[len(PREFIX) :] if method.startswith(PREFIX) else ""
    return value if value.isascii() and value.isdigit() and len(value) <= 18 else ""


def pay_and_redirect(request: HttpRequest, payment: Payment, card_id: str) -> HttpResponse:
    """Charge a saved card and send the customer on: the result, the 3-D Secure challenge, the second
    factor (risk: then back here with the same card), or the pay page with the reason when it cannot pay."""
    from zizhu.payments.risk.views import assess_request, verify_url

    if not payment.is_final:
        assess_request(request, payment)  # the pay step: the payment's risk score is taken now, once
    try:
        step = saved_cards.pay_with_saved_card(
            payment=payment, card_id=card_id, user=request.user, **gateway_urls(request, payment)
        )
    except SecondFactorRequired:
        return redirect(verify_url(payment, f"{PREFIX}{card_id}"))
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("payments:pay", payment.number)
    if step.kind == "redirect" and step.url:
        return redirect(step.url)
    return redirect("payments:result", payment.number)


def _cards_page(request: HttpRequest, *, errors: dict[str, list[str]] | None = None, status: int = 200) -> HttpResponse:
    from zizhu.accounts import mfa

    setting = selectors.password_free_for(user=request.user)
    context = {
        "cards": list(selectors.saved_cards_for(user=request.user)),
        "title": _("Saved cards"),
        "password_free": setting,
        "limit_value": request.POST.get("limit", "")[:20] if errors else f"{setting.limit:.2f}",
        "max_limit": Money.of(password_free.MAX_LIMIT),
        "recently_confirmed": mfa.recently_authenticated(request),
        "errors": errors or {},
    }
    return render(request, "payments/cards.html", context, status=status)


@never_cache
@login_required
def cards(request: HttpRequest) -> HttpResponse:
    """My saved cards: brand, last 4, expiry; remove one; 小额免密支付 (password-free payment) on or off."""
    return _cards_page(request)


@require_POST
@login_required
def password_free_settings(request: HttpRequest) -> HttpResponse:
    """Turn password-free payment on (confirmed by the password) or off, with its limit per payment."""
    enabled = request.POST.get("enabled") == "on"
    try:
        password_free.update(
            user=request.user,
            enabled=enabled,
            limit=request.POST.get("limit", "")[:20] if enabled else None,
            password=request.POST.get("password", "")[:128] or None,
            request=request,
        )
    except DomainError as exc:
        if exc.status == 429:
            raise
        errors = exc.fields or {"limit": [str(exc.message)]}
        return _cards_page(request, errors={key: [str(m) for m in value] for key, value in errors.items()}, status=422)
    if enabled:
        messages.success(request, _("Password-free payment is on for saved cards, up to the limit per payment."))
    else:
        messages.success(request, _("Password-free payment is off: each saved-card payment asks for a code."))
    return redirect("payments:cards")


@require_POST
@login_required
def remove_card(request: HttpRequest, card_id: int) -> HttpResponse:
    try:
        saved_cards.remove_saved_card(user=request.user, card_id=card_id)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(str(exc.message)) from exc
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The card was removed. It can no longer be used to pay."))
    return redirect("payments:cards")
