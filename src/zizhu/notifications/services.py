"""Sending to a customer (in-app inbox, and e-mail when asked) and their notification settings.

Any app may send through :func:`send_message`. The e-mail copy is sent by a task after the
transaction commits (never while the caller holds row locks), at most once per message.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.core.errors import NotFound
from zizhu.notifications import selectors
from zizhu.notifications.models import InboxMessage, NotificationSettings

logger = logging.getLogger(__name__)


def send_message(
    *, customer: Any, subject: str, body: str, link: str = "", kind: str = InboxMessage.Kind.NOTICE, email: bool = False
) -> InboxMessage:
    """Put a message in the customer's inbox; with ``email`` also e-mail it (when they have an address)."""
    wants_email = bool(email and getattr(customer, "email", None))
    message = InboxMessage.objects.create(
        customer=customer,
        kind=kind,
        subject=subject[:200],
        body=body[:4000],
        link=link[:300],
        send_email=wants_email,
    )
    _forget_unread_count(customer.pk)
    if wants_email:
        transaction.on_commit(lambda: _enqueue_email(message.pk))
    return message


def _forget_unread_count(customer_id: int) -> None:
    """After commit, so a page rendered meanwhile cannot cache the old count again."""
    key = selectors.unread_cache_key(customer_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _enqueue_email(message_id: int) -> None:
    from zizhu.notifications.tasks import email_message_task

    try:
        email_message_task.delay(message_id)
    except Exception:  # a broker outage must not fail the sender; the message is in the inbox anyway
        logger.exception("Could not enqueue the e-mail of inbox message %s", message_id)


def email_message(*, message_id: int) -> bool:
    """E-mail an inbox message once (with the customer's anti-phishing phrase). True when sent now."""
    from zizhu.accounts.messaging import send_email

    with transaction.atomic():
        claimed = InboxMessage.objects.filter(pk=message_id, send_email=True, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
    if not claimed:
        return False
    message = InboxMessage.objects.select_related("customer").get(pk=message_id)
    customer = message.customer
    if not customer.email:  # the address was removed since: the inbox copy is all there is
        return False
    site_url = str(settings.ZIZHU_SITE_URL or "").rstrip("/")
    try:
        send_email(
            to=customer.email,
            template="message",
            folder="notifications/email",
            context={"message": message, "site_url": site_url},
            language=customer.language,
            user=customer,
        )
    except Exception:
        InboxMessage.objects.filter(pk=message_id).update(emailed_at=None)  # let a retry send it
        raise
    return True


def mark_read(*, customer: Any, message_id: int) -> InboxMessage:
    """Mark one of the customer's messages read (someone else's message: not found)."""
    message = InboxMessage.objects.filter(pk=message_id, customer=customer).first()
    if message is None:
        raise NotFound(_("There is no such message in your inbox."))
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
        _forget_unread_count(customer.pk)
    return message


def mark_all_read(*, customer: Any) -> int:
    changed = InboxMessage.objects.filter(customer=customer, read_at__isnull=True).update(read_at=timezone.now())
    _forget_unread_count(customer.pk)
    return changed


def update_settings(*, customer: Any, digests: bool, digest_email: bool) -> NotificationSettings:
    """Save what the customer wants. E-mail copies only make sense with digests on: off turns both off."""
    row, _created = NotificationSettings.objects.update_or_create(
        customer=customer, defaults={"digests": digests, "digest_email": digests and digest_email}
    )
    return row
