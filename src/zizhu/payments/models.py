"""Payments on the shop's side: what is paid (a ``reference`` string such as an order number),
how much, its status, its refunds, its timeline and the provider webhooks already seen.

Card numbers never reach these tables: the provider keeps the card and gives us a token,
the brand and the last 4 digits. The sandbox gateway's own tables (another "company") are in
``zizhu.payments.sandbox_gateway.models``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zizhu.core.crypto import BlindIndexField, EncryptedTextField, with_index_fields
from zizhu.core.ids import new_number
from zizhu.core.money import Money
from zizhu.payments.sandbox_gateway.models import (  # noqa: F401  (the gateway's tables live in this app)
    GatewayCard,
    GatewayEvent,
    GatewayIntent,
    GatewayRefund,
)

ZERO = Decimal("0.00")


def new_payment_number() -> str:
    return new_number("payment")


def new_refund_number() -> str:
    return "F" + new_number("return")[1:]  # F…: refund numbers, distinct from return numbers (R…)


class Payment(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        REQUIRES_ACTION = "requires_action", _("Waiting for the customer")
        # The card is authorised but not captured: the payment waits for a staff review (risk).
        AUTHORIZED = "authorized", _("Authorised, waiting for review")
        SUCCEEDED = "succeeded", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
        REFUNDED = "refunded", _("Refunded")

    class Method(models.TextChoices):
        CARD = "card", _("Bank card")
        WALLET = "wallet", _("Wallet (QR code)")

    number = models.CharField(_("number"), max_length=20, default=new_payment_number, editable=False)
    reference = models.CharField(_("paying for"), max_length=64)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payments",
        db_index=False,  # payment_customer_recent_idx below starts with the customer and serves both
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CREATED)
    provider = models.CharField(_("provider"), max_length=30, default="sandbox")
    # NULL until the provider made its intent: many such rows, one unique constraint (payment_intent_unique).
    provider_intent_id = models.CharField(_("provider intent"), max_length=64, null=True, blank=True)  # noqa: DJ001
    captured_amount = models.DecimalField(_("captured"), max_digits=12, decimal_places=2, default=ZERO)
    refunded_amount = models.DecimalField(_("refunded (incl. pending)"), max_digits=12, decimal_places=2, default=ZERO)
    card_brand = models.CharField(_("card brand"), max_length=20, blank=True)
    card_last4 = models.CharField(_("card last 4 digits"), max_length=4, blank=True)
    failure_code = models.CharField(_("failure code"), max_length=40, blank=True)
    flagged = models.BooleanField(_("flagged for review"), default=False)
    flag_reason = models.CharField(_("flag reason"), max_length=200, blank=True)
    # Where the result page links back to (the order page; for a guest its signed link).
    return_url = models.CharField(_("return page"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        # The risk signals read a customer's latest payments (velocity, failures, usual amount).
        indexes = [
            # Partial (customers' payments only): a guest's payment writes no entry.
            models.Index(
                fields=["customer", "-created_at"],
                name="payment_customer_recent_idx",
                condition=Q(customer__isnull=False),
            ),
            models.Index(fields=["reference"], name="payment_reference_idx"),
        ]
        # Constraints and indexes here rather than unique=True / db_index=True on the fields: those add
        # a varchar_pattern_ops copy on PostgreSQL (for LIKE 'x%', never used) that every payment's
        # INSERT must also write (docs/ordering.md).
        constraints = [
            models.UniqueConstraint(fields=["number"], name="payment_number_unique"),
            models.UniqueConstraint(fields=["provider_intent_id"], name="payment_intent_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(captured_amount__gte=0), name="payment_captured_not_negative"),
            models.CheckConstraint(condition=Q(captured_amount__lte=F("amount")), name="payment_captured_le_amount"),
            models.CheckConstraint(condition=Q(refunded_amount__gte=0), name="payment_refunded_not_negative"),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=F("captured_amount")), name="payment_refunded_le_captured"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def money(self) -> Money:
        return Money.of(self.amount, self.currency)

    @property
    def captured(self) -> Money:
        return Money.of(self.captured_amount, self.currency)

    @property
    def refunded(self) -> Money:
        return Money.of(self.refunded_amount, self.currency)

    @property
    def refundable(self) -> Money:
        return Money.of(self.captured_amount - self.refunded_amount, self.currency)

    @property
    def is_final(self) -> bool:
        """Nothing more for the customer to do here (an authorised payment waits for staff)."""
        return self.status not in (self.Status.CREATED, self.Status.REQUIRES_ACTION)

    @property
    def is_paid(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.PARTIALLY_REFUNDED, self.Status.REFUNDED)


class PaymentEvent(models.Model):
    """The payment's timeline: attempts, provider answers, webhooks, refunds, ignored events."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=40)
    message = models.CharField(_("message"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.payment_id})"


class Refund(models.Model):
    """A refund is reserved (pending) in the database first, then sent, then confirmed or failed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Failed")

    number = models.CharField(_("number"), max_length=20, unique=True, default=new_refund_number, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    provider_refund_id = models.CharField(_("provider refund"), max_length=64, blank=True)
    failure_code = models.CharField(_("failure code"), max_length=40, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return self.number


class WebhookEvent(models.Model):
    """Each provider event is handled once: its id is unique; the row commits with the effect."""

    provider = models.CharField(_("provider"), max_length=30)
    event_id = models.CharField(_("event id"), max_length=80)
    event_type = models.CharField(_("type"), max_length=60)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhooks")
    outcome = models.CharField(_("outcome"), max_length=40)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"


class SavedCard(models.Model):
    """A card the gateway keeps for a customer ("save this card for next time"). The shop holds only the
    gateway's reusable token (encrypted at rest, looked up by its blind index), brand, last 4 and expiry."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="saved_cards"
    )
    provider = models.CharField(_("provider"), max_length=30, default="sandbox")
    token = EncryptedTextField(_("gateway token"), context="payments.savedcard.token")
    token_index = BlindIndexField(source="token", purpose="payments.savedcard.token")
    brand = models.CharField(_("card brand"), max_length=20)
    last4 = models.CharField(_("card last 4 digits"), max_length=4)
    exp_month = models.PositiveSmallIntegerField(_("expiry month"))
    exp_year = models.PositiveSmallIntegerField(_("expiry year"))
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("saved card")
        verbose_name_plural = _("saved cards")
        ordering = [F("last_used_at").desc(nulls_last=True), "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "token_index"], name="saved_card_token_once"),
            models.CheckConstraint(condition=Q(exp_month__gte=1, exp_month__lte=12), name="saved_card_month_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.brand_label} ···{self.last4}"

    def save(self, *args: object, **kwargs: object) -> None:
        kwargs["update_fields"] = with_index_fields(type(self), kwargs.get("update_fields"))
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def brand_label(self) -> str:
        labels = {
            "visa": "Visa",
            "mastercard": "Mastercard",
            "unionpay": str(_("UnionPay")),
            "amex": "American Express",
        }
        return labels.get(self.brand, str(_("Card")))

    @property
    def choice(self) -> str:
        """How a form names this card as the way to pay."""
        return f"saved:{self.pk}"

    @property
    def expiry(self) -> str:
        return f"{self.exp_month:02d}/{self.exp_year % 100:02d}"

    def is_expired(self, today: object = None) -> bool:
        day = today or timezone.localdate()
        return (self.exp_year, self.exp_month) < (day.year, day.month)  # type: ignore[attr-defined]


class PasswordFreePayment(models.Model):
    """小额免密支付: the customer's opt-in to pay with a saved card without a second factor, up to a limit per
    payment. Off by default (no row = off); turning it on or raising the limit is confirmed by re-authentication
    (``zizhu.payments.password_free``). The risk check still applies on top."""

    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="password_free_payment",
    )
    enabled = models.BooleanField(_("password-free payment on"), default=False)
    limit = models.DecimalField(_("limit per payment"), max_digits=8, decimal_places=2, default=Decimal("200.00"))
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("password-free payment setting")
        verbose_name_plural = _("password-free payment settings")
        # Staff may switch it off (a lost phone, a suspected fraud); only the customer switches it on.
        permissions = [("switch_off_passwordfreepayment", _("Can switch off a customer's password-free payment"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(limit__gt=0, limit__lte=Decimal("1000.00")), name="password_free_limit_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {'on' if self.enabled else 'off'} ({self.limit})"

    @property
    def limit_money(self) -> Money:
        return Money.of(self.limit)


from zizhu.payments.risk.models import RiskAssessment  # noqa: E402,F401  (the risk tables are this app's)
