from django.contrib import admin

from zizhu.inventory.models import PurchaseLimit, Stock, StockMovement, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "priority", "is_active"]


class MovementInline(admin.TabularInline):
    model = StockMovement
    extra = 0
    can_delete = False
    fields = ["created_at", "reason", "on_hand_change", "allocated_change", "order_number", "staff", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    """Read-only here: stock changes go through zizhu.inventory.services (ledger rows)."""

    list_display = ["variant", "warehouse", "on_hand", "allocated"]
    list_select_related = ["variant", "warehouse"]
    search_fields = ["variant__sku"]
    readonly_fields = ["variant", "warehouse", "on_hand", "allocated"]
    inlines = [MovementInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    list_display = ["created_at", "stock", "reason", "on_hand_change", "allocated_change", "order_number", "staff"]
    list_filter = ["reason"]
    search_fields = ["order_number", "stock__variant__sku"]
    list_select_related = ["stock__variant", "staff"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PurchaseLimit)
class PurchaseLimitAdmin(admin.ModelAdmin):
    list_display = ["product", "max_quantity"]
    raw_id_fields = ["product"]
