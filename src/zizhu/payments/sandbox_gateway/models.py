"""The sandbox gateway's own tables: as if they were another company's database.

The shop never reads these: it talks to the gateway through ``zizhu.payments.sandbox_gateway.api``
(server-to-server calls with ids and tokens), redirects and signed webhooks. Like a real gateway's
test mode, the vault keeps no card number and no CVC: only the brand, the last 4 digits, the
expiry and which test behaviour the number stands for.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(18)}"


def new_intent_id() -> str:
    return _id("pi")


def new_card_token() -> str:
    return _id("tok")


def new_payment_method_id() -> str:
    return _id("pm")


def new_refund_id() -> str:
    return _id("re")


def new_event_id() -> str:
    return _id("evt")


def new_wallet_secret() -> str:
    return secrets.token_urlsafe(24)


class CardDetails(models.Model):
    """What the vault keeps of a checked card (a token's or a saved card's): never the number."""

    class Behaviour(models.TextChoices):
        SUCCEED = "succeed", _("Succeeds")
        DECLINE = "decline", _("Declined")
        INSUFFICIENT_FUNDS = "insufficient_funds", _("Insufficient funds")
        THREE_D_SECURE = "three_d_secure", _("3-D Secure required")

    FIELDS = ("brand", "last4", "exp_month", "exp_year", "behaviour")

    brand = models.CharField(max_length=20)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    behaviour = models.CharField(max_length=20, choices=Behaviour.choices)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.brand} •••• {self.last4}"

    def details(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.FIELDS}


class GatewayCard(CardDetails):
    token = models.CharField(primary_key=True, max_length=40, default=new_card_token, editable=False)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "sandbox_gateway_card"
        verbose_name = _("sandbox card token")
        verbose_name_plural = _("sandbox card tokens")


class GatewayPaymentMethod(CardDetails):
    """A card kept for one of the merchant's customers ("save this card for next time"), like a real
    gateway's saved payment method: reusable by the merchant server-to-server for that customer only.
    As for a token, only brand, last 4, expiry and the test behaviour are kept, never the number."""

    id = models.CharField(primary_key=True, max_length=40, default=new_payment_method_id, editable=False)
    customer_ref = models.CharField(max_length=64, db_index=True)  # the merchant's name for its customer
    created_at = models.DateTimeField(default=timezone.now)
    detached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "sandbox_gateway_payment_method"
        verbose_name = _("sandbox saved card")
        verbose_name_plural = _("sandbox saved cards")


class GatewayIntent(models.Model):
    class Status(models.TextChoices):
        REQUIRES_PAYMENT_METHOD = "requires_payment_method", _("Waiting for a payment method")
        REQUIRES_ACTION = "requires_action", _("Waiting for 3-D Secure")
        REQUIRES_CAPTURE = "requires_capture", _("Authorised, not captured")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELED = "canceled", _("Cancelled")

    id = models.CharField(primary_key=True, max_length=40, default=new_intent_id, editable=False)
    merchant_key = models.CharField(max_length=255, unique=True)  # the merchant's idempotency key
    description = models.CharField(max_length=120, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    capture_method = models.CharField(max_length=10, default="automatic")
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.REQUIRES_PAYMENT_METHOD)
    method = models.CharField(max_length=10, blank=True)
    card = models.ForeignKey(GatewayCard, null=True, blank=True, on_delete=models.SET_NULL)
    # A signed-in customer of the merchant: the hosted page may offer "save this card" (``save_card``).
    customer_ref = models.CharField(max_length=64, blank=True)
    save_card = models.BooleanField(default=False)
    payment_method = models.ForeignKey(
        GatewayPaymentMethod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    challenge_code = models.CharField(max_length=6, blank=True)
    wallet_secret = models.CharField(max_length=40, default=new_wallet_secret, editable=False)
    amount_captured = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    failure_code = models.CharField(max_length=40, blank=True)
    return_url = models.URLField(max_length=500, blank=True)
    notify_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "sandbox_gateway_intent"
        verbose_name = _("sandbox intent")
        verbose_name_plural = _("sandbox intents")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_refunded__lte=F("amount_captured")), name="sandbox_refunded_le_captured"
            ),
        ]

    def __str__(self) -> str:
        return self.id


class GatewayRefund(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=new_refund_id, editable=False)
    intent = models.ForeignKey(GatewayIntent, on_delete=models.PROTECT, related_name="refunds")
    merchant_key = models.CharField(max_length=255, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10, default="succeeded")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "sandbox_gateway_refund"
        verbose_name = _("sandbox refund")
        verbose_name_plural = _("sandbox refunds")

    def __str__(self) -> str:
        return self.id


class GatewayEvent(models.Model):
    """The gateway's own outbox of webhooks: written with the change, delivered (and retried) after."""

    id = models.CharField(primary_key=True, max_length=40, default=new_event_id, editable=False)
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    notify_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "sandbox_gateway_event"
        verbose_name = _("sandbox webhook")
        verbose_name_plural = _("sandbox webhooks")
        indexes = [
            models.Index(fields=["next_attempt_at"], name="sandbox_event_due_idx", condition=Q(delivered_at=None))
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"
