from django.contrib import admin

from zizhu.orders.models import Order, OrderEvent, OrderLine


class LineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ["sku", "name", "quantity", "unit_price", "line_total"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "status", "kind", "note", "actor"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-only: status changes go through zizhu.orders.services (timeline, events)."""

    list_display = ["number", "status", "total", "currency", "placed_at", "paid_at"]
    list_filter = ["status", "delivery_method"]
    search_fields = ["number", "payment_number"]
    date_hierarchy = "placed_at"
    exclude = ["contact_phone", "address_line"]
    inlines = [LineInline, EventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Order._meta.fields if f.name not in ("contact_phone", "address_line")]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
