"""Saved delivery addresses of returning customers (the phone and street line encrypted at rest)."""

from __future__ import annotations

from django.conf import settings
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
    last_used_at = models.DateTimeField(_("last used"), default=timezone.now)

    class Meta:
        verbose_name = _("saved address")
        verbose_name_plural = _("saved addresses")
        ordering = ["-last_used_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}, {self.province} {self.city} {self.district}"
