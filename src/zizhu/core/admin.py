from django.contrib import admin

from zizhu.core.models import OutboxEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    """Read-only view of the outbox, to see what is waiting, retrying or failed."""

    list_display = ["id", "topic", "status", "attempts", "created_at", "available_at", "dispatched_at"]
    list_filter = ["status", "topic"]
    search_fields = ["topic"]
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
