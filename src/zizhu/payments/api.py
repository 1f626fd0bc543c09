"""Payments API: a payment's state, confirming it (Idempotency-Key) with a card token or a saved card,
the customer's saved cards, and the sandbox webhook."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.http.response import JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import APIKeyCookie

from zizhu.accounts.auth import bearer_auth, session_auth
from zizhu.core import idempotency
from zizhu.core.api_errors import ErrorOut
from zizhu.core.errors import InvalidInput, NotFound
from zizhu.core.money import Money
from zizhu.payments import access, password_free, saved_cards, selectors, services
from zizhu.payments.models import Payment
from zizhu.payments.risk import assess as risk_assess
from zizhu.payments.risk import selectors as risk_selectors
from zizhu.payments.risk import services as risk_services
from zizhu.payments.risk.context import RequestInfo

payments_router = Router(tags=["payments"])
_REVIEWABLE = (Payment.Status.AUTHORIZED, Payment.Status.CANCELLED)


class GuestSessionAuth(APIKeyCookie):
    """A guest's browser session (with the CSRF token): it sees the payments granted to it."""

    param_name = "sessionid"
    openapi_description = "A guest's session cookie (with X-CSRFToken)."

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return "guest" if key else None


payment_auth = [bearer_auth, session_auth, GuestSessionAuth()]


class MoneyOut(Schema):
    amount: str = Field(..., examples=["199.00"])
    currency: str = Field(..., examples=["CNY"])


class RefundOut(Schema):
    number: str
    amount: MoneyOut
    status: str
    created_at: datetime


class NextActionOut(Schema):
    type: Literal["redirect", "wallet_qr"]
    url: str


class PaymentOut(Schema):
    number: str
    reference: str
    status: str
    method: str
    amount: MoneyOut
    captured: MoneyOut
    refunded: MoneyOut
    card_brand: str
    card_last4: str
    failure_code: str
    created_at: datetime
    paid_at: datetime | None
    refunds: list[RefundOut]
    next_action: NextActionOut | None = None
    review: str = Field("", description='"held": authorised, staff are checking it; "rejected": not accepted')
    return_url: str = Field("", description="the page to go back to after paying (e.g. the order), a path on this site")


class ConfirmIn(Schema):
    token: str | None = Field(
        None, max_length=64, pattern=r"^tok_[A-Za-z0-9_-]{8,60}$", description="A card token from the gateway"
    )
    saved_card: int | None = Field(
        None, ge=1, le=2**63 - 1, description="Or the id of one of your saved cards (`GET /payments/cards`)"
    )


class SavedCardOut(Schema):
    id: int
    brand: str = Field(..., examples=["visa"])
    last4: str = Field(..., examples=["4242"])
    exp_month: int
    exp_year: int
    expired: bool = Field(..., description="an expired card is not offered and cannot pay")
    created_at: datetime
    last_used_at: datetime | None


class SecondFactorIn(Schema):
    code: str = Field(..., min_length=6, max_length=12, description="6 digits (authenticator app or the code sent)")
    method: Literal["totp", "code"] | None = Field(None, description="default: the payer's method")


class SecondFactorOut(Schema):
    passed: bool
    methods: list[str] = Field(..., description='"totp" (authenticator app) or "code" (sent by e-mail/SMS)')
    sent_to: str = Field("", description="where a code was sent, masked")


class WebhookOut(Schema):
    received: bool
    outcome: str


def _payment(request: HttpRequest, number: str) -> Payment:
    payment = selectors.get_payment_for(number=number[:20], user=request.user, granted=access.granted_numbers(request))
    if payment is None:
        raise NotFound()
    return payment


def payment_out(payment: Payment, step: services.NextStep | None = None) -> dict[str, Any]:
    refunds = selectors.payment_refunds(payment=payment)
    return PaymentOut(
        number=payment.number,
        reference=payment.reference,
        status=payment.status,
        method=payment.method,
        amount=MoneyOut(**payment.money.as_dict()),
        captured=MoneyOut(**payment.captured.as_dict()),
        refunded=MoneyOut(**payment.refunded.as_dict()),
        card_brand=payment.card_brand,
        card_last4=payment.card_last4,
        failure_code=payment.failure_code,
        created_at=payment.created_at,
        paid_at=payment.paid_at,
        return_url=payment.return_url,
        refunds=[
            RefundOut(
                number=r.number,
                amount=MoneyOut(amount=f"{r.amount:.2f}", currency=payment.currency),
                status=r.status,
                created_at=r.created_at,
            )
            for r in refunds
        ],
        next_action=NextActionOut(type=step.kind, url=step.url) if step and step.kind != "none" else None,  # type: ignore[arg-type]
        # Only a held (authorised) or cancelled payment can have a review to tell: no query otherwise.
        review=risk_selectors.review_state(reference=payment.reference) if payment.status in _REVIEWABLE else "",
    ).model_dump(mode="json")


# Before "/{number}": "cards" is not a payment number.
@payments_router.get(
    "/cards",
    response={200: list[SavedCardOut], 401: ErrorOut},
    auth=[bearer_auth, session_auth],
    url_name="payments_cards",
)
def list_saved_cards(request: HttpRequest):
    """The signed-in customer's saved cards (brand, last 4, expiry; never a number or token), last used first."""
    return [
        SavedCardOut(
            id=card.pk,
            brand=card.brand,
            last4=card.last4,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            expired=card.is_expired(),
            created_at=card.created_at,
            last_used_at=card.last_used_at,
        )
        for card in selectors.saved_cards_for(user=request.user)
    ]


class PasswordFreeOut(Schema):
    enabled: bool = Field(..., description="小额免密支付: saved-card payments up to the limit need no second factor")
    limit: MoneyOut = Field(..., description="per payment")
    max_limit: MoneyOut


class PasswordFreeIn(Schema):
    enabled: bool
    limit: str | None = Field(None, max_length=20, examples=["200.00"], description="per payment, ¥0.01–¥1,000")
    password: str | None = Field(
        None,
        max_length=128,
        description="the account password: needed to turn it on or raise the limit, unless "
        "this session confirmed it is you within 10 minutes (`POST /api/v1/me/reauth`)",
    )


def _password_free_out(setting: Any) -> PasswordFreeOut:
    limit, top = setting.limit_money, Money.of(password_free.MAX_LIMIT)
    return PasswordFreeOut(
        enabled=setting.enabled,
        limit=MoneyOut(amount=f"{limit.amount:.2f}", currency=limit.currency),
        max_limit=MoneyOut(amount=f"{top.amount:.2f}", currency=top.currency),
    )


@payments_router.get(
    "/cards/settings",
    response={200: PasswordFreeOut, 401: ErrorOut},
    auth=[bearer_auth, session_auth],
    url_name="payments_cards_settings",
)
def get_password_free(request: HttpRequest):
    """The signed-in customer's 小额免密支付 (password-free payment for small amounts): off by default."""
    return _password_free_out(selectors.password_free_for(user=request.user))


@payments_router.put(
    "/cards/settings",
    response={200: PasswordFreeOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    auth=[bearer_auth, session_auth],
)
def put_password_free(request: HttpRequest, payload: PasswordFreeIn):
    """Turn password-free payment for saved cards on (with `password`, or after `POST /api/v1/me/reauth`) or
    off (nothing needed), with a limit per payment. A bad limit → 422 `invalid_limit`, no re-auth → 403
    `reauth_required`; nothing changes then."""
    setting = password_free.update(
        user=request.user, enabled=payload.enabled, limit=payload.limit, password=payload.password, request=request
    )
    return _password_free_out(setting)


@payments_router.delete(
    "/cards/{card_id}",
    response={204: None, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=[bearer_auth, session_auth],
    url_name="payments_card",
)
def remove_saved_card(request: HttpRequest, card_id: int):
    """Remove a saved card: detached at the gateway (never charged again) and forgotten. Another's → 404."""
    saved_cards.remove_saved_card(user=request.user, card_id=card_id)
    return Status(204, None)


@payments_router.get("/{number}", response={200: PaymentOut, 401: ErrorOut, 404: ErrorOut}, auth=payment_auth)
def get_payment(request: HttpRequest, number: str):
    """A payment of the signed-in customer (or granted to this guest session); anyone else's → 404."""
    return payment_out(_payment(request, number))


@payments_router.post(
    "/{number}/confirm",
    response={200: PaymentOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    auth=payment_auth,
)
def confirm_payment(request: HttpRequest, number: str, payload: ConfirmIn):
    """Pay with a card token (from `POST /sandbox-gateway/v1/tokens`), or fetch the outcome after the
    hosted page. Needs an `Idempotency-Key` header: a retry with the same key and body replays the
    first answer and never charges twice; the same key with another body → 422; while the first
    request runs → 409. A 3-D Secure card answers `next_action` (redirect to the challenge).
    A payment whose risk score needs a second factor answers 403 `second_factor_required` (its
    `fields` name the methods and the two endpoints: send a code, give the factor) until it is given.
    `{"saved_card": <id>}` pays with one of the customer's saved cards, server to server (the same risk
    check; a 3-D Secure card still answers `next_action`); another's or a removed card → 404, an expired
    one → 422 `card_expired`. A saved card always needs the second factor (403 `second_factor_required`)
    unless password-free payment (`PUT /payments/cards/settings`) is on and covers the amount."""
    payment = _payment(request, number)
    if payload.token and payload.saved_card:
        message = _("Send either a card token or a saved card, not both.")
        raise InvalidInput(message, fields={"saved_card": [message]})
    risk_assess.assess(payment=payment, request=RequestInfo.of(request))  # the pay step: scored once
    if (payload.token or payload.saved_card) and payment.status in services.OPEN_STATUSES:
        # Checked before the idempotency claim: this 403 is not stored, so the same key works once confirmed.
        # A saved card (nothing typed) needs the second factor unless password-free payment covers it.
        if payload.saved_card is not None:
            saved_cards.usable_card(payment=payment, card_id=payload.saved_card, user=request.user)
        risk_assess.require_cleared(payment=payment, saved_card=payload.saved_card is not None)

    def action() -> tuple[int, Any]:
        urls = access.gateway_urls(request, payment)
        if payload.saved_card is not None:
            step = saved_cards.pay_with_saved_card(
                payment=payment, card_id=payload.saved_card, user=request.user, **urls
            )
        else:
            step = services.confirm_payment(payment=payment, token=payload.token, **urls)
        payment.refresh_from_db()
        if step.url:
            step = services.NextStep(step.kind, request.build_absolute_uri(step.url))
        return 200, payment_out(payment, step)

    return idempotency.respond(request, scope="payments.confirm", action=action)


@payments_router.post(
    "/{number}/second-factor/send",
    response={200: SecondFactorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    auth=payment_auth,
    url_name="payments_send_code",
)
def send_second_factor_code(request: HttpRequest, number: str):
    """Send the payer a one-time code for a payment that needs a second factor (`second_factor_required`):
    to the account's e-mail/phone, or a guest's checkout contact. 1 a minute, 5 an hour."""
    payment = _payment(request, number)
    sent_to = risk_services.send_code(payment=payment, request=request)
    return {"passed": False, "methods": risk_assess.factor_methods(payment), "sent_to": sent_to}


@payments_router.post(
    "/{number}/second-factor",
    response={200: SecondFactorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    auth=payment_auth,
    url_name="payments_second_factor",
)
def pass_second_factor(request: HttpRequest, number: str, payload: SecondFactorIn):
    """Give the second factor (authenticator code, or the code sent); then `POST …/confirm` again."""
    payment = _payment(request, number)
    risk_services.pass_second_factor(payment=payment, code=payload.code, method=payload.method or "", request=request)
    return {"passed": True, "methods": risk_assess.factor_methods(payment)}


@payments_router.post("/webhooks/sandbox", response={200: WebhookOut, 400: ErrorOut}, auth=None)
def sandbox_webhook(request: HttpRequest) -> HttpResponse:
    """The sandbox gateway's signed events (`Zizhu-Signature: t=<unix>,v1=<hex>`). Bad signature → 400."""
    outcome = services.handle_webhook(provider_name="sandbox", body=request.body, headers=request.headers)
    return JsonResponse({"received": True, "outcome": outcome})
