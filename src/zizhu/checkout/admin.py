from django.contrib import admin

from zizhu.checkout.models import Promotion, Voucher, VoucherRedemption


@admin.register(Voucher)
class VoucherAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "value", "min_spend", "valid_from", "valid_until", "used_count", "max_uses"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code"]
    readonly_fields = ["used_count"]


@admin.register(VoucherRedemption)
class VoucherRedemptionAdmin(admin.ModelAdmin):
    list_display = ["voucher", "order_number", "created_at"]
    search_fields = ["order_number", "voucher__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "threshold", "amount", "valid_from", "valid_until", "is_active"]
