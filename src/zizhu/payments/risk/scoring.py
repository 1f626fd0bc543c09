"""The explainable risk signals of a payment and its score.

Each signal is a small function answering ``Signal`` (code, weight, params) or ``None``; the score
is the sum of the weights of the signals that fired. Weights, limits and the two thresholds are
settings (``ZIZHU_RISK_*``, defaults below), so a shop tunes them without code. Reasons are
rendered by ``reason()`` in the reader's language from the stored code and params.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.accounts.models import UserSession
from zizhu.payments.models import Payment
from zizhu.payments.risk.context import PaymentContext, RequestInfo
from zizhu.payments.risk.models import RiskAssessment
from zizhu.payments.risk.places import province_key, province_of_ip

DEFAULT_WEIGHTS = {
    "new_device": 20,
    "velocity": 30,
    "recent_failures": 25,
    "amount": 35,
    "new_address": 15,
    "region_mismatch": 20,
    "shared_device": 30,
}
DEFAULT_LIMITS: dict[str, Any] = {
    "attempts_10_minutes": 3,  # other payment attempts in 10 minutes before "velocity" fires
    "attempts_hour": 6,  # ... or in one hour
    "failures_day": 2,  # failed/declined payments in 24 hours
    "amount_multiplier": 3,  # amount above this many times the customer's median paid payment
    "first_order_cap": "2000.00",  # a first payment (no paid history) above this
    "history_size": 20,  # paid payments the median is taken over
    "device_accounts": 3,  # accounts on one device in 30 days
    "device_days": 30,
}
DEFAULT_CHALLENGE_THRESHOLD = 30
DEFAULT_REVIEW_THRESHOLD = 70
PAID = (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED)


def weights() -> dict[str, int]:
    return {**DEFAULT_WEIGHTS, **(getattr(settings, "ZIZHU_RISK_WEIGHTS", None) or {})}


def limits() -> dict[str, Any]:
    return {**DEFAULT_LIMITS, **(getattr(settings, "ZIZHU_RISK_LIMITS", None) or {})}


def thresholds() -> tuple[int, int]:
    """(challenge, review): a score at or above the first needs a second factor, the second a staff review."""
    challenge = int(getattr(settings, "ZIZHU_RISK_CHALLENGE_THRESHOLD", DEFAULT_CHALLENGE_THRESHOLD))
    review = int(getattr(settings, "ZIZHU_RISK_REVIEW_THRESHOLD", DEFAULT_REVIEW_THRESHOLD))
    return challenge, review


@dataclass(frozen=True)
class Signal:
    code: str
    weight: int
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "weight": self.weight, "params": self.params}


@dataclass(frozen=True)
class Inputs:
    payment: Payment
    request: RequestInfo
    context: PaymentContext
    limits: dict[str, Any]

    @property
    def customer_id(self) -> int | None:
        return self.payment.customer_id

    def others(self) -> Any:
        """Earlier payments of the same payer: the customer's, or (guests) those made from this device."""
        others = Payment.objects.exclude(pk=self.payment.pk)
        if self.customer_id is not None:
            return others.filter(customer_id=self.customer_id)
        if self.request.device_key:
            return others.filter(customer__isnull=True, risk__device_key=self.request.device_key)
        return others.none()


def _new_device(data: Inputs) -> dict[str, Any] | None:
    if data.customer_id is None or not data.request.device_key:
        return None
    paid = RiskAssessment.objects.filter(customer_id=data.customer_id, payment__status__in=PAID)
    if not paid.exists() or paid.filter(device_key=data.request.device_key).exists():
        return None  # no history to compare with, or a device that paid before
    return {}


def _velocity(data: Inputs) -> dict[str, Any] | None:
    now = timezone.now()
    recent = data.others().filter(created_at__gte=now - timedelta(hours=1)).values_list("created_at", flat=True)
    times = list(recent)
    in_10 = sum(1 for at in times if at >= now - timedelta(minutes=10))
    if in_10 >= int(data.limits["attempts_10_minutes"]):
        return {"count": in_10, "minutes": 10}
    if len(times) >= int(data.limits["attempts_hour"]):
        return {"count": len(times), "minutes": 60}
    return None


def _recent_failures(data: Inputs) -> dict[str, Any] | None:
    since = timezone.now() - timedelta(hours=24)
    count = data.others().filter(status=Payment.Status.FAILED, updated_at__gte=since).count()
    return {"count": count} if count >= int(data.limits["failures_day"]) else None


def _amount(data: Inputs) -> dict[str, Any] | None:
    amount = data.payment.amount
    history: list[Decimal] = []
    if data.customer_id is not None:
        size = int(data.limits["history_size"])
        paid = data.others().filter(status__in=PAID, currency=data.payment.currency).order_by("-created_at")
        history = list(paid.values_list("amount", flat=True)[:size])
    if history:
        median = Decimal(statistics.median(history)).quantize(Decimal("0.01"))
        multiplier = Decimal(str(data.limits["amount_multiplier"]))
        if amount > median * multiplier:
            ratio = (amount / median).quantize(Decimal("0.1"))
            return {"kind": "history", "amount": f"{amount:.2f}", "median": f"{median:.2f}", "ratio": str(ratio)}
        return None
    cap = Decimal(str(data.limits["first_order_cap"]))
    if amount > cap:
        return {"kind": "first", "amount": f"{amount:.2f}", "cap": f"{cap:.2f}"}
    return None


def _new_address(data: Inputs) -> dict[str, Any] | None:
    known = data.context.known_address_keys
    if not data.context.address_key or not known or data.context.address_key in known:
        return None  # no address, no paid history to compare with, or a known address
    return {"province": data.context.province}


def _region_mismatch(data: Inputs) -> dict[str, Any] | None:
    ip_province = province_of_ip(data.request.ip)
    if not ip_province or not data.context.province:
        return None
    if province_key(ip_province) == province_key(data.context.province):
        return None
    return {"province": data.context.province, "ip_province": ip_province}


def _shared_device(data: Inputs) -> dict[str, Any] | None:
    info = data.request
    if not info.device_key:
        return None
    since = timezone.now() - timedelta(days=int(data.limits["device_days"]))
    accounts = set(
        RiskAssessment.objects.filter(device_key=info.device_key, created_at__gte=since, customer__isnull=False)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    if info.user_agent and info.place:
        sessions = UserSession.objects.filter(user_agent=info.user_agent, place=info.place, last_seen_at__gte=since)
        accounts.update(sessions.values_list("user_id", flat=True).distinct())
    if data.customer_id is not None:
        accounts.add(data.customer_id)
    count = len(accounts)
    return {"count": count} if count >= int(data.limits["device_accounts"]) else None


CHECKS: dict[str, Callable[[Inputs], dict[str, Any] | None]] = {
    "new_device": _new_device,
    "velocity": _velocity,
    "recent_failures": _recent_failures,
    "amount": _amount,
    "new_address": _new_address,
    "region_mismatch": _region_mismatch,
    "shared_device": _shared_device,
}


def evaluate(*, payment: Payment, request: RequestInfo, context: PaymentContext) -> list[Signal]:
    """Every signal that fires for this payment, with its weight (a weight of 0 switches a signal off)."""
    data = Inputs(payment=payment, request=request, context=context, limits=limits())
    table = weights()
    fired = []
    for code, check in CHECKS.items():
        weight = int(table.get(code, 0))
        if weight <= 0:
            continue
        params = check(data)
        if params is not None:
            fired.append(Signal(code, weight, params))
    return fired


def decide(score: int) -> str:
    challenge, review = thresholds()
    if score >= review:
        return RiskAssessment.Decision.REVIEW
    if score >= challenge:
        return RiskAssessment.Decision.CHALLENGE
    return RiskAssessment.Decision.ALLOW


def reason(code: str, params: dict[str, Any]) -> str:
    """A person's explanation of one stored signal, in the current language."""
    p = params or {}
    if code == "new_device":
        return _("Paying from a device (browser and network) this customer never paid from before.")
    if code == "velocity":
        return _("%(count)s other payment attempts in the last %(minutes)s minutes.") % p
    if code == "recent_failures":
        return _("%(count)s failed or declined payments in the last 24 hours.") % p
    if code == "amount" and p.get("kind") == "history":
        return _("¥%(amount)s is %(ratio)s times this customer's usual paid amount (median ¥%(median)s).") % p
    if code == "amount":
        return _("A first payment of ¥%(amount)s, above the first-order limit of ¥%(cap)s.") % p
    if code == "new_address":
        return _("Delivery address never used in a paid order of this customer (%(province)s).") % p
    if code == "region_mismatch":
        return _("Delivery to %(province)s, but the customer's network is in %(ip_province)s.") % p
    if code == "shared_device":
        return _("%(count)s accounts used this device in the last 30 days.") % p
    return code


def reasons(signals: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [
        (int(item.get("weight", 0)), reason(str(item.get("code", "")), item.get("params") or {})) for item in signals
    ]
