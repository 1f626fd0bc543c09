"""Helpers for the risk tests: hand-made payment histories and an assessment from a chosen request."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from zizhu.payments.models import Payment
from zizhu.payments.risk import assess
from zizhu.payments.risk.context import RequestInfo
from zizhu.payments.risk.models import RiskAssessment

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
OTHER_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1"
SHANGHAI_IP = "202.96.209.5"
GUANGDONG_IP = "202.96.130.7"


def past_payment(
    customer, amount: str = "100.00", *, status: str = Payment.Status.SUCCEEDED, ago: timedelta = timedelta(days=10),
    device: RequestInfo | None = None, reference: str = "O0000000000000001",
) -> Payment:  # fmt: skip
    """A payment made ``ago`` (paid by default), assessed from ``device`` when given."""
    at = timezone.now() - ago
    paid = status in (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED)
    payment = Payment.objects.create(
        reference=reference,
        amount=Decimal(amount),
        customer=customer,
        status=status,
        captured_amount=Decimal(amount) if paid else Decimal("0"),
        paid_at=at if paid else None,
    )
    Payment.objects.filter(pk=payment.pk).update(created_at=at, updated_at=at)
    if device is not None:
        RiskAssessment.objects.create(
            payment=payment, customer=customer, score=0, decision="allow", device_key=device.device_key, created_at=at
        )
    return payment


def assess_from(payment: Payment, *, ip: str | None = "10.0.0.5", ua: str = UA) -> RiskAssessment:
    return assess.assess(payment=payment, request=RequestInfo(ip=ip, user_agent=ua))


def codes_of(assessment: RiskAssessment) -> set[str]:
    return {signal["code"] for signal in assessment.signals}


def code_from_mail(outbox) -> str:
    import re

    return re.search(r"\b(\d{6})\b", outbox[-1].body).group(1)


def totp_code(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def place(customer, variant, quantity: int = 2):
    """An order for ``quantity`` of ``variant`` (guest when ``customer`` is None) with its payment."""
    from tests.ordering import contact_address, guest_cart
    from zizhu.checkout import services as checkout

    contact, address = contact_address()
    cart = guest_cart((variant, quantity))
    return checkout.place_order(cart=cart, customer=customer, contact=contact, address=address, delivery="standard")


def card_token(client, card: str = "4242 4242 4242 4242") -> str:
    response = client.post(
        "/sandbox-gateway/v1/tokens", {"number": card, "expiry": "12/34", "cvc": "123"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()["token"]


def api_confirm(client, number: str, token: str | None, key: str = "key-1"):
    return client.post(
        f"/api/v1/payments/{number}/confirm",
        {"token": token} if token else {},
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )
