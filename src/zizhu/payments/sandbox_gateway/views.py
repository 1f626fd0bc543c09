"""The sandbox gateway's pages: the hosted card page, the 3-D Secure challenge and the phone-side
wallet page, plus a JSON tokenisation endpoint for API clients (as a gateway's JS library offers).

They belong to the gateway, not to the shop: they use only the gateway's operations and send
the customer back to the shop's ``return_url`` with the intent id.
"""

from __future__ import annotations

import contextlib
import json
from datetime import date
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from zizhu.payments.sandbox_gateway import api as gateway
from zizhu.payments.sandbox_gateway.cards import TEST_CARDS, CardInvalid, check_card
from zizhu.payments.sandbox_gateway.models import GatewayIntent

MAX_FIELD = 40


def _intent_or_404(intent_id: str) -> GatewayIntent:
    intent = GatewayIntent.objects.select_related("card").filter(pk=intent_id[:40]).first()
    if intent is None:
        raise Http404(_("This payment page does not exist."))
    return intent


def _back_to_shop(intent: GatewayIntent) -> HttpResponse:
    if not intent.return_url:
        return HttpResponseRedirect(f"?{urlencode({'done': '1'})}")
    separator = "&" if "?" in intent.return_url else "?"
    return HttpResponseRedirect(f"{intent.return_url}{separator}{urlencode({'intent': intent.pk})}")


def _test_cards() -> list[dict[str, str]]:
    labels = {
        "succeed": _("Payment succeeds"),
        "decline": _("Card declined"),
        "insufficient_funds": _("Insufficient funds"),
        "three_d_secure": _("3-D Secure check required"),
    }
    return [
        {"number": " ".join(n[i : i + 4] for i in range(0, 16, 4)), "label": labels[str(b)]}
        for n, b in TEST_CARDS.items()
    ]


@never_cache
@sensitive_post_parameters("number", "cvc")  # never in error reports
@sensitive_variables("number", "checked")
@require_http_methods(["GET", "POST"])
def card_page(request: HttpRequest, intent_id: str) -> HttpResponse:
    intent = _intent_or_404(intent_id)
    if intent.status == GatewayIntent.Status.REQUIRES_ACTION:
        return HttpResponseRedirect(_reverse_challenge(intent))
    if intent.status not in gateway.OPEN:
        return _back_to_shop(intent)
    errors: dict[str, list[str]] = {}
    values = {"expiry": "", "name": "", "save_card": ""}
    if request.method == "POST":
        # The number and the CVC are used here and dropped: they are neither stored nor logged.
        number = request.POST.get("number", "")[:MAX_FIELD]
        values = {
            "expiry": request.POST.get("expiry", "")[:10],
            "name": request.POST.get("name", "")[:60],
            # Offered only when the shop named its signed-in customer (never to guests).
            "save_card": "1" if intent.customer_ref and request.POST.get("save_card") == "1" else "",
        }
        try:
            checked = check_card(
                number=number, expiry=values["expiry"], cvc=request.POST.get("cvc", "")[:8], today=date.today()
            )
        except CardInvalid as exc:
            errors = exc.fields
        else:
            token = gateway.tokenize(checked)
            try:
                data = gateway.confirm_intent(intent_id=intent.pk, token=token.pk, save_card=bool(values["save_card"]))
            except gateway.GatewayError:
                return _back_to_shop(intent)
            if data.status == GatewayIntent.Status.REQUIRES_ACTION:
                return HttpResponseRedirect(data.challenge_url)
            intent.refresh_from_db()
            return _back_to_shop(intent)
    context = {"intent": intent, "errors": errors, "values": values, "test_cards": _test_cards()}
    return render(request, "sandbox_gateway/card.html", context, status=422 if errors else 200)


def _reverse_challenge(intent: GatewayIntent) -> str:
    from django.urls import reverse

    return reverse("sandbox_gateway:challenge", args=[intent.pk])


@never_cache
@require_http_methods(["GET", "POST"])
def challenge_page(request: HttpRequest, intent_id: str) -> HttpResponse:
    intent = _intent_or_404(intent_id)
    if intent.status != GatewayIntent.Status.REQUIRES_ACTION:
        return _back_to_shop(intent)
    if request.method == "POST":
        cancel = request.POST.get("action") == "cancel"
        with contextlib.suppress(gateway.GatewayError):
            gateway.answer_challenge(intent_id=intent.pk, code=request.POST.get("code", "")[:12], cancel=cancel)
        intent.refresh_from_db()
        return _back_to_shop(intent)
    return render(request, "sandbox_gateway/challenge.html", {"intent": intent})


@never_cache
@require_http_methods(["GET", "POST"])
def wallet_page(request: HttpRequest, intent_id: str, secret: str) -> HttpResponse:
    intent = _intent_or_404(intent_id)
    if intent.wallet_secret != secret[:40]:
        raise Http404(_("This payment page does not exist."))
    message = ""
    if request.method == "POST" and intent.status in gateway.OPEN:
        approve = request.POST.get("action") == "approve"
        with contextlib.suppress(gateway.GatewayError):
            gateway.confirm_wallet(intent_id=intent.pk, secret=secret, approve=approve)
        intent.refresh_from_db()
    if intent.status == GatewayIntent.Status.SUCCEEDED:
        message = _("Payment confirmed. You can go back to the shop's page: it updates by itself.")
    elif intent.status not in gateway.OPEN:
        message = _("This payment was not made. You can go back to the shop's page.")
    return render(request, "sandbox_gateway/wallet.html", {"intent": intent, "message": message})


@csrf_exempt  # a cross-site JSON API, like a gateway's tokenisation endpoint; it changes no shop data
@sensitive_variables("data")
@require_POST
def create_token(request: HttpRequest) -> JsonResponse:
    try:
        data = json.loads(request.body or b"{}")
        if not isinstance(data, dict):
            raise TypeError
        checked = check_card(
            number=str(data.get("number", ""))[:MAX_FIELD],
            expiry=str(data.get("expiry", ""))[:10],
            cvc=str(data.get("cvc", ""))[:8],
            today=date.today(),
        )
    except (ValueError, TypeError) as exc:
        fields = exc.fields if isinstance(exc, CardInvalid) else {"__all__": [_("Send the card as a JSON object.")]}
        return JsonResponse(
            {"code": "card_invalid", "message": _("Please check the card details."), "fields": fields}, status=422
        )
    token = gateway.tokenize(checked)
    return JsonResponse({"token": token.pk, "brand": token.brand, "last4": token.last4}, status=201)
