"""Reads of the inbox and of notification settings."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from zizhu.notifications.models import InboxMessage, NotificationSettings


def inbox(*, customer: Any, limit: int = 50, offset: int = 0) -> list[InboxMessage]:
    return list(InboxMessage.objects.filter(customer=customer).order_by("-created_at", "-id")[offset : offset + limit])


UNREAD_CACHE_SECONDS = 300  # a safety net: every change of the count forgets the cached value


def unread_cache_key(customer_id: int) -> str:
    return f"inbox:unread:{customer_id}"


def unread_count(*, customer: Any) -> int:
    """The header shows it on every page: kept in the cache (Redis / local memory), else one COUNT on
    a partial index. Sending and reading messages forget the cached value after commit."""
    key = unread_cache_key(customer.pk)
    cached = cache.get(key)
    if cached is not None:
        return int(cached)
    count = InboxMessage.objects.filter(customer=customer, read_at__isnull=True).count()
    cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def settings_for(*, customer: Any) -> NotificationSettings:
    """The customer's settings (the defaults, unsaved, when they never changed them)."""
    row = NotificationSettings.objects.filter(customer=customer).first()
    return row if row is not None else NotificationSettings(customer=customer)
