"""Saved delivery addresses of returning customers (the phone and street line encrypted at rest)."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zizhu.core.crypto import EncryptedTextField


class SavedAddress(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_addresses")
    name = models.CharField(_("name"), max_length=60)
    phone = EncryptedTextField(_("mobile number"), context="checkout.savedaddress.phone")
    province = models.CharField(_("province"), max_length=30)
    city = models.CharField(_("city"), max_length=30)
    district = models.CharField(_("district"), max_length=30, blank=True)
    line = EncryptedTextField(_("street address"), context="checkout.savedaddress.line")
    # Geocode from cpca (zizhu.checkout.addresses): the district's (else city's) centre, not the door.
    adcode = models.CharField(_("administrative code"), max_length=6, blank=True, default="")
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), default=timezone.now)

    class Meta:
        verbose_name = _("saved address")
        verbose_name_plural = _("saved addresses")
        ordering = ["-last_used_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}, {self.province} {self.city} {self.district}"


class Voucher(models.Model):
    """A code the customer types: a fixed amount, a percentage or free delivery, with a minimum
    spend, a validity window and usage limits (total and per customer) held by the database."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed amount off")
        PERCENT = "percent", _("Percentage off")
        FREE_DELIVERY = "free_delivery", _("Free delivery")

    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("Upper-case letters and digits."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    value = models.DecimalField(
        _("value"), max_digits=12, decimal_places=2, default=0, help_text=_("Amount in yuan, or percent.")
    )
    min_spend = models.DecimalField(_("minimum spend"), max_digits=12, decimal_places=2, default=0)
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("uses in total"), null=True, blank=True, help_text=_("Empty: no limit."))
    per_customer = models.PositiveIntegerField(_("uses per customer"), null=True, blank=True, default=1)
    used_count = models.IntegerField(_("used"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        constraints = [
            models.CheckConstraint(condition=models.Q(used_count__gte=0), name="voucher_used_not_negative"),
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True) | models.Q(used_count__lte=models.F("max_uses")),
                name="voucher_used_le_max",
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="voucher_value_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(kind="percent") | models.Q(value__lte=100), name="voucher_percent_le_100"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        """The back office's checks, in words (the database's constraints only say "invalid"):
        customers' codes are matched in upper case, so the code is stored that way."""
        errors: dict[str, str] = {}
        self.code = (self.code or "").strip().upper()
        if not VOUCHER_CODE.fullmatch(self.code):
            errors["code"] = _("Use 2 to 32 letters, digits, '-' or '_'.")
        if self.value is not None and self.value < 0:
            errors["value"] = _("The value cannot be negative.")
        elif self.kind == self.Kind.PERCENT and self.value is not None and not 0 < self.value <= 100:
            errors["value"] = _("A percentage is above 0 and at most 100.")
        elif self.kind == self.Kind.FIXED and not self.value:
            errors["value"] = _("Enter the amount the voucher takes off.")
        if self.valid_until is not None and self.valid_from is not None and self.valid_until <= self.valid_from:
            errors["valid_until"] = _("The end must be after the start.")
        if errors:
            raise ValidationError(errors)


VOUCHER_CODE = re.compile(r"[A-Z0-9_-]{2,32}")


class VoucherRedemption(models.Model):
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="redemptions")
    order_number = models.CharField(_("order"), max_length=20, unique=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("voucher use")
        verbose_name_plural = _("voucher uses")

    def __str__(self) -> str:
        return f"{self.voucher_id} → {self.order_number}"


class Promotion(models.Model):
    """An automatic promotion: spend ``threshold`` or more, get ``amount`` off (满300减30)."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    threshold = models.DecimalField(_("spend at least"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount off"), max_digits=12, decimal_places=2)
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-amount"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="promotion_amount_positive"),
            models.CheckConstraint(condition=models.Q(threshold__gte=0), name="promotion_threshold_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name_zh

    def clean(self) -> None:
        """The back office's checks, in words: the amount off is above zero and below the spend it
        needs (满300减30: never the goods for free), the spend is not negative, the end after the start."""
        errors: dict[str, str] = {}
        if self.threshold is not None and self.threshold < 0:
            errors["threshold"] = _("The spend cannot be negative.")
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = _("Enter the amount the promotion takes off.")
        elif self.amount is not None and self.threshold is not None and self.amount >= self.threshold:
            errors["amount"] = _("The amount off must be less than the spend it needs.")
        if self.valid_until is not None and self.valid_from is not None and self.valid_until <= self.valid_from:
            errors["valid_until"] = _("The end must be after the start.")
        if errors:
            raise ValidationError(errors)

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        english = (get_language() or "").startswith("en")
        return (self.name_en or self.name_zh) if english else self.name_zh
