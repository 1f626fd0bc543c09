"""Back office: inbox messages (read-only: services write them) and notification settings."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zizhu.notifications.models import InboxMessage, NotificationSettings


@admin.register(InboxMessage)
class InboxMessageAdmin(admin.ModelAdmin):
    list_display = ["customer", "kind", "subject", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    raw_id_fields = ["customer"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["customer", "digests", "digest_email", "updated_at"]
    raw_id_fields = ["customer"]
