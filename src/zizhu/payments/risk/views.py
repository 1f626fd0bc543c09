"""The second-factor page of the pay step: ``/pay/<number>/verify/``.

The customer lands here when the payment's risk score asks for a second factor (``start`` and
``wallet`` in ``payments.views`` redirect here). It shows their anti-phishing phrase, takes a
code from the authenticator app or sends a one-time code, and then continues the payment with
the method chosen before (to the gateway's card page or to the wallet QR page).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from zizhu.accounts.forms import CodeForm
from zizhu.core.errors import DomainError
from zizhu.payments import services
from zizhu.payments.access import gateway_urls
from zizhu.payments.models import Payment
from zizhu.payments.risk import assess
from zizhu.payments.risk import services as risk
from zizhu.payments.risk.assess import SecondFactorRequired
from zizhu.payments.risk.context import RequestInfo


def assess_request(request: HttpRequest, payment: Payment) -> None:
    """Score the payment from this request (once: later calls find the first assessment)."""
    assess.assess(payment=payment, request=RequestInfo.of(request))


def _method(value: str) -> str:
    """The way to pay chosen on the pay page: card, wallet or a saved card (``saved:<id>``)."""
    from zizhu.payments.saved_card_views import card_id_of

    return value if value in Payment.Method.values or card_id_of(value) else Payment.Method.CARD


def verify_url(payment: Payment, method: str) -> str:
    return f"{reverse('payments:verify', args=[payment.number])}?method={_method(method)}"


def _continue(request: HttpRequest, payment: Payment, method: str) -> HttpResponse:
    """The factor is passed: go on to pay with the method chosen on the pay page."""
    from zizhu.payments.saved_card_views import card_id_of, pay_and_redirect

    if card_id := card_id_of(method):
        return pay_and_redirect(request, payment, card_id)
    if method == Payment.Method.WALLET:
        return redirect("payments:wallet", payment.number)
    try:
        step = services.start_payment(payment=payment, method=Payment.Method.CARD, **gateway_urls(request, payment))
    except SecondFactorRequired:
        return redirect(verify_url(payment, method))
    except DomainError:
        return redirect("payments:pay", payment.number)
    return redirect(step.url)


@never_cache
def verify(request: HttpRequest, number: str) -> HttpResponse:
    from zizhu.payments.views import _payment_or_404

    payment = _payment_or_404(request, number)
    method = _method((request.POST.get("method") or request.GET.get("method") or Payment.Method.CARD)[:30])
    assessment = assess.get(payment)
    if payment.is_final or assessment is None or not assessment.needs_factor:
        return redirect("payments:pay", payment.number) if not payment.is_final else redirect("payments:result", number)
    methods = assess.factor_methods(payment)
    form = CodeForm(request.POST if request.POST.get("action") == "confirm" else None)
    sent_to = ""
    error = ""
    status = 200
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            sent_to = risk.send_code(payment=payment, request=request)
        except DomainError as exc:
            error, status = str(exc.message), exc.status
    elif request.method == "POST" and form.is_valid():
        try:
            risk.pass_second_factor(payment=payment, code=form.cleaned_data["code"], request=request)
        except DomainError as exc:
            form.add_error("code", str(exc.message))
            status = exc.status
        else:
            return _continue(request, payment, method)
    elif request.method == "POST":
        status = 422
    context = {
        "payment": payment,
        "method": method,
        "uses_totp": "totp" in methods,
        "form": form,
        "sent_to": sent_to,
        "error": error,
        "review": assessment.decision == assessment.Decision.REVIEW,
        "title": _("Confirm this payment"),
    }
    return render(request, "payments/verify.html", context, status=status)
