"""Customer pages for paying: choose card or wallet, the wallet QR page that updates itself, and the
result. Thin: selectors read, services write; the card itself is typed on the gateway's page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from zizhu.core.errors import DomainError
from zizhu.payments import access, saved_card_views, selectors, services
from zizhu.payments.access import gateway_urls as urls_for
from zizhu.payments.models import Payment
from zizhu.payments.qr import qr_svg
from zizhu.payments.risk.assess import SecondFactorRequired
from zizhu.payments.risk.views import assess_request, verify_url


def _payment_or_404(request: HttpRequest, number: str) -> Payment:
    number = number[:20]
    token = request.GET.get("t", "")
    if token:
        access.redeem_link(request, number, token[:200])
    payment = selectors.get_payment_for(number=number, user=request.user, granted=access.granted_numbers(request))
    if payment is None:
        raise Http404(_("We could not find this payment."))
    return payment


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@never_cache
@require_GET
def pay(request: HttpRequest, number: str) -> HttpResponse:
    payment = _payment_or_404(request, number)
    if payment.is_final:
        return redirect("payments:result", payment.number)
    return render(request, "payments/pay.html", _pay_context(request, payment))


def _pay_context(request: HttpRequest, payment: Payment, **extra: object) -> dict[str, object]:
    preferred = payment.method or selectors.preferred_method(user=request.user) or Payment.Method.CARD
    # A signed-in customer's saved cards (not expired) come first, the last used one preselected.
    cards = selectors.usable_saved_cards(user=request.user) if payment.customer_id else []
    if cards and preferred == Payment.Method.CARD:
        preferred = cards[0].choice
    # With saved cards: whether a code will be asked (小额免密支付 off by default) is said next to them.
    password_free = selectors.password_free_for(user=request.user) if cards else None
    return {"payment": payment, "preferred": preferred, "saved_cards": cards, "password_free": password_free, **extra}


@require_POST
def start(request: HttpRequest, number: str) -> HttpResponse:
    payment = _payment_or_404(request, number)
    method = request.POST.get("method", "")[:30]
    if card_id := saved_card_views.card_id_of(method):
        return saved_card_views.pay_and_redirect(request, payment, card_id)
    if method in Payment.Method.values and not payment.is_final:
        assess_request(request, payment)  # the pay step: the payment's risk score is taken now, once
    try:
        step = services.start_payment(payment=payment, method=method, **urls_for(request, payment))
    except SecondFactorRequired:
        return redirect(verify_url(payment, method))
    except DomainError as exc:
        context = _pay_context(request, payment, error=str(exc.message))
        return render(request, "payments/pay.html", context, status=exc.status)
    if step.kind == "wallet_qr":
        return redirect("payments:wallet", payment.number)
    return redirect(step.url)


@never_cache
@require_GET
def wallet(request: HttpRequest, number: str) -> HttpResponse:
    payment = _payment_or_404(request, number)
    if payment.is_final:
        return redirect("payments:result", payment.number)
    assess_request(request, payment)
    try:
        step = services.start_payment(payment=payment, method=Payment.Method.WALLET, **urls_for(request, payment))
    except SecondFactorRequired:
        return redirect(verify_url(payment, Payment.Method.WALLET))
    except DomainError:
        return redirect("payments:result", payment.number)
    phone_url = request.build_absolute_uri(step.url)
    context = {
        "payment": payment,
        "phone_url": phone_url,
        "qr": qr_svg(phone_url, title=_("QR code to pay with the wallet app")),
    }
    return render(request, "payments/wallet.html", context)


@never_cache
@require_GET
def status(request: HttpRequest, number: str) -> HttpResponse:
    """The live status block (HTMX polls it every 2 s); when the payment is closed, go to the result."""
    payment = _payment_or_404(request, number)
    response = render(request, "payments/partials/status.html", {"payment": payment})
    if payment.is_final and _is_htmx(request):
        response["HX-Redirect"] = reverse("payments:result", args=[payment.number])
    return response


@require_POST
def check(request: HttpRequest, number: str) -> HttpResponse:
    """'I have paid': ask the gateway now instead of waiting for its message."""
    payment = services.sync_payment(payment=_payment_or_404(request, number))
    if payment.is_final:
        return redirect("payments:result", payment.number)
    return redirect("payments:wallet", payment.number)


@never_cache
@require_GET
def return_from_gateway(request: HttpRequest, number: str) -> HttpResponse:
    """The gateway sends the customer back here; the webhook may have arrived already, or not yet."""
    payment = services.sync_payment(payment=_payment_or_404(request, number))
    return redirect("payments:result", payment.number)


@never_cache
@require_GET
def result(request: HttpRequest, number: str) -> HttpResponse:
    payment = _payment_or_404(request, number)
    return render(request, "payments/result.html", {"payment": payment, "failure": _failure(payment)})


def _failure(payment: Payment) -> str:
    if payment.status == Payment.Status.FAILED:
        return services.failure_message(payment.failure_code)
    if payment.status == Payment.Status.CANCELLED:
        return _("The payment was cancelled.")
    return ""


@require_POST
def retry(request: HttpRequest, number: str) -> HttpResponse:
    payment = _payment_or_404(request, number)
    try:
        fresh = services.retry_payment(payment=payment)
    except DomainError as exc:  # paid already, or the order was cancelled: say so where the customer lands
        messages.info(request, exc.message)
        return redirect(payment.return_url or reverse("payments:result", args=[payment.number]))
    if fresh.customer_id is None:
        access.grant(request, fresh.number)
    return redirect("payments:pay", fresh.number)
