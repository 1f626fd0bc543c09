"""This app's part of "download my data" and "delete my account" (zizhu.accounts.privacy).

Deleting the account deletes the inbox and the settings with it (their foreign keys cascade).
"""

from __future__ import annotations

from typing import Any

from zizhu.notifications.models import InboxMessage, NotificationSettings


def export_inbox(user: Any) -> dict[str, Any]:
    messages = InboxMessage.objects.filter(customer=user).order_by("created_at", "id")
    settings = NotificationSettings.objects.filter(customer=user).values("digests", "digest_email").first()
    return {
        "messages": list(messages.values("kind", "subject", "body", "link", "created_at", "read_at")),
        "settings": settings,
    }


def register() -> None:
    from zizhu.accounts import privacy

    privacy.register_exporter("inbox", export_inbox)
