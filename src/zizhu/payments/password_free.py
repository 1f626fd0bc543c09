"""小额免密支付 (password-free payment for small amounts): off by default (DESIGN.md §7).

Without it, a payment with a saved card asks for the customer's second factor whatever the risk score
(``risk.assess.require_cleared(saved_card=True)``). A customer may turn it on, with a limit per payment
(default ¥200, at most ¥1,000): a saved-card payment at or below the limit then needs no second factor,
unless the risk score asks for one. Turning it on or raising the limit is confirmed by re-authentication
(the account password, or a recent "confirm it is you"); turning it off or lowering the limit needs
nothing. Each change is in the accounts' audit log. A card typed on the gateway's page is not concerned.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from zizhu.accounts import audit, mfa
from zizhu.core.errors import InvalidInput, PermissionDenied
from zizhu.core.money import Money
from zizhu.notifications import services as notifications
from zizhu.payments import selectors
from zizhu.payments.models import PasswordFreePayment, Payment

DEFAULT_LIMIT = Decimal("200.00")
MAX_LIMIT = Decimal("1000.00")
FIELD = "limit"
LIMIT_FORMAT = re.compile(r"[0-9]{1,4}(\.[0-9]{1,2})?")
STAFF_SWITCH_OFF = "payment.password_free_off"  # audit action


def covers(payment: Payment) -> bool:
    """True when the payment's customer turned password-free payment on and the amount is within the limit."""
    if payment.customer_id is None:
        return False
    setting = PasswordFreePayment.objects.filter(customer_id=payment.customer_id, enabled=True).first()
    return setting is not None and payment.currency == "CNY" and payment.amount <= setting.limit


def parse_limit(value: Any) -> Decimal:
    """A limit typed by the customer ("200", "99.50"): more than zero, at most ¥1,000, at most 2 decimals."""
    message = _("Enter a limit between ¥0.01 and %(max)s per payment, for example 200.") % {"max": Money.of(MAX_LIMIT)}
    text = str(value).strip().replace(",", "").removeprefix("¥").strip() if isinstance(value, str | Decimal) else ""
    limit = Decimal(text) if LIMIT_FORMAT.fullmatch(text) else None
    if limit is None or limit <= 0 or limit > MAX_LIMIT:
        raise InvalidInput(message, fields={FIELD: [message]}, code="invalid_limit")
    return limit.quantize(Decimal("0.01"))


def _confirm_it_is_you(*, request: HttpRequest | None, user: Any, password: str | None) -> None:
    """The account password now, or a "confirm it is you" within the last 10 minutes on this session."""
    if password:
        mfa.reauthenticate(request=request, user=user, password=password, remember=False)  # type: ignore[arg-type]
        return
    if request is None or not hasattr(request, "session") or not mfa.recently_authenticated(request):
        message = _("Confirm it is you first: enter your account password (or confirm with a code).")
        raise PermissionDenied(message, fields={"password": [message]}, code="reauth_required")


def update(
    *, user: Any, enabled: bool, limit: Any = None, password: str | None = None, request: HttpRequest | None = None
) -> PasswordFreePayment:
    """Turn password-free payment on or off, or change its limit. Nothing changes when a check fails."""
    current = selectors.password_free_for(user=user)
    new_limit = current.limit if limit is None else parse_limit(limit)
    if enabled and (not current.enabled or new_limit > current.limit):
        _confirm_it_is_you(request=request, user=user, password=password)
    with transaction.atomic():
        setting, _created = PasswordFreePayment.objects.select_for_update().get_or_create(customer_id=user.pk)
        before = (setting.enabled, setting.limit)
        setting.enabled, setting.limit = bool(enabled), new_limit
        setting.save(update_fields=["enabled", "limit", "updated_at"])
        if before != (setting.enabled, setting.limit) or _created:
            state = "on" if setting.enabled else "off"
            audit.record(
                actor=user,
                action=audit.SECURITY_CHANGE,
                target=user,
                summary=f"password-free payment {state}, limit {Money.of(setting.limit)} per payment",
                request=request,
            )
    return setting


def switch_off_by_staff(*, staff: Any, setting_id: int, request: HttpRequest | None = None) -> bool:
    """Customer service switches a customer's password-free payment off (a lost phone, a suspected
    fraud): audited, and the customer is told in the inbox. Only the customer can switch it on again.
    False when it was already off."""
    with transaction.atomic():
        setting = PasswordFreePayment.objects.select_for_update().select_related("customer").get(pk=setting_id)
        if not setting.enabled:
            return False
        setting.enabled = False
        setting.save(update_fields=["enabled", "updated_at"])
        audit.record(
            actor=staff,
            action=STAFF_SWITCH_OFF,
            target=setting.customer,
            summary=f"password-free payment switched off by staff (limit was {Money.of(setting.limit)})",
            request=request,
        )
        _tell_switched_off(setting.customer)
    return True


def _tell_switched_off(customer: Any) -> None:
    with translation.override(getattr(customer, "language", "") or "zh-hans"):
        notifications.send_message(
            customer=customer,
            subject=_("Password-free payment is now off"),
            body=_(
                "Our customer service switched off password-free payment for your saved cards. Each payment "
                "with a saved card now asks for your verification code. You can switch it on again in My cards."
            ),
            link=reverse("payments:cards"),
        )


def export(user: Any) -> dict[str, Any]:
    """Privacy "download my data": the setting as the customer sees it."""
    setting = selectors.password_free_for(user=user)
    return {
        "enabled": setting.enabled,
        "limit": str(setting.limit),
        "currency": "CNY",
        "changed_at": setting.updated_at,
    }


def erase(user: Any) -> None:
    """Privacy "delete my account": the setting goes."""
    PasswordFreePayment.objects.filter(customer_id=user.pk).delete()
