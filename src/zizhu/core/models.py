"""The transactional outbox (DESIGN.md §1.4).

An ``OutboxEvent`` row is written in the same transaction as the change it reports;
handlers run after commit. A ``HandledEvent`` row is written in the same transaction as
each handler's own changes, so a handler's effect and its "done" mark commit together:
a dispatcher killed half-way leaves either both or neither, and the next dispatcher
skips what is done.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed (gave up)")

    topic = models.CharField(_("topic"), max_length=100)
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    available_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        # Plain b-tree indexes, not db_index/unique: those add a varchar_pattern_ops copy on PostgreSQL
        # (for LIKE 'x%', never used here) that every INSERT must also write (docs/ordering.md).
        indexes = [
            models.Index(fields=["available_at", "id"], name="outbox_pending_idx", condition=Q(status="pending")),
            models.Index(fields=["topic"], name="outbox_topic_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class HandledEvent(models.Model):
    """One row per (event, handler) that has run to completion: the idempotency mark."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="handled")
    handler = models.CharField(max_length=200)
    handled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("handled event")
        verbose_name_plural = _("handled events")
        constraints = [models.UniqueConstraint(fields=["event", "handler"], name="handled_event_once")]

    def __str__(self) -> str:
        return f"{self.handler} ← event #{self.event_id}"


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` for one kind of request (DESIGN.md §4).

    The row is claimed with a plain INSERT: the unique (scope, owner, key) index decides
    which of two concurrent requests runs; the other sees the claim. The stored response
    is replayed for the same key and body; rows are purged after 24 hours.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    scope = models.CharField(_("scope"), max_length=100)
    owner = models.CharField(_("owner"), max_length=100)
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["scope", "owner", "key"], name="idempotency_key_once")]

    def __str__(self) -> str:
        return f"{self.scope} {self.owner} {self.key[:20]}"
