"""The in-app inbox and each customer's notification settings.

A message is stored already written in the customer's language (it is what they were told, like an
e-mail); ``emailed_at`` records the e-mail copy so a repeated task never sends it twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboxMessage(models.Model):
    class Kind(models.TextChoices):
        DIGEST = "digest", _("new picks for you")
        NOTICE = "notice", _("notice")

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NOTICE)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=4000)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    send_email = models.BooleanField(_("also by e-mail"), default=False)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="inbox_customer_recent_idx"),
            # the header's unread count: an index-only count of a customer's unread rows
            models.Index(
                fields=["customer"], condition=models.Q(read_at__isnull=True), name="inbox_customer_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.subject}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationSettings(models.Model):
    """What a customer wants to receive. No row: the defaults (digests in the inbox, no e-mail)."""

    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    digests = models.BooleanField(_("weekly picks in my inbox"), default=True)
    digest_email = models.BooleanField(_("also send them by e-mail"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"{self.customer_id}: digests={self.digests} e-mail={self.digest_email}"
