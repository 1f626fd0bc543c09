"""Back office for the catalogue: categories, brands, products with their variants,
images, option groups and rules, attributes; behaviour events read-only.

Every change to a product (or to what belongs to it) is announced through the outbox
in the same transaction as the save, so the search index follows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from zizhu.catalog import services
from zizhu.catalog.models import (
    Attribute,
    AttributeValue,
    BehaviourEvent,
    Brand,
    Category,
    ConfiguredSku,
    Option,
    OptionGroup,
    Product,
    ProductImage,
    Rule,
    Variant,
    VariantValue,
)


class AnnounceProductMixin:
    """Announce the affected products after the object and its inlines are saved."""

    def product_ids_of(self, obj: Any) -> list[int]:
        # An abstract hook each admin using the mixin defines (ModelAdmin's metaclass rules out ABC).
        raise NotImplementedError

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        services.announce_product_changed(product_ids=self.product_ids_of(form.instance))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        ids = self.product_ids_of(obj)
        with transaction.atomic():
            super().delete_model(request, obj)  # type: ignore[misc]
            services.announce_product_changed(product_ids=ids)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "parent", "position", "is_active"]
    list_filter = ["is_active", "parent"]
    list_editable = ["position", "is_active"]
    search_fields = ["name_zh", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["parent"]

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.categories_changed()

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        super().delete_model(request, obj)
        services.categories_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        super().delete_queryset(request, queryset)
        services.categories_changed()


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


class AttributeValueInline(admin.TabularInline):
    model = AttributeValue
    extra = 1
    fields = ["code", "name_zh", "name_en", "swatch", "position"]


@admin.register(Attribute)
class AttributeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "position"]
    search_fields = ["code", "name_zh", "name_en"]
    inlines = [AttributeValueInline]


@admin.register(AttributeValue)
class AttributeValueAdmin(admin.ModelAdmin):
    list_display = ["attribute", "code", "name_zh", "name_en"]
    list_filter = ["attribute"]
    search_fields = ["code", "name_zh", "name_en", "attribute__code"]


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ["sku", "price", "stock", "is_active", "position"]
    show_change_link = True


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["image", "alt_zh", "alt_en", "position"]


class OptionGroupInline(admin.TabularInline):
    model = OptionGroup
    extra = 0
    fields = ["code", "name_zh", "name_en", "required", "position"]
    show_change_link = True


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0
    fields = ["kind", "option", "target", "message_zh", "message_en"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in ("option", "target"):
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            options = Option.objects.select_related("group")
            kwargs["queryset"] = options.filter(group__product_id=object_id) if object_id else options.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Product)
class ProductAdmin(AnnounceProductMixin, admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "category", "brand", "price", "is_active", "is_configurable", "sales_count"]
    list_filter = ["is_active", "is_configurable", "category", "brand"]
    search_fields = ["name_zh", "name_en", "slug", "variants__sku"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["category", "brand"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["category", "brand"]
    fieldsets = (
        (None, {"fields": ["slug", "category", "brand", "is_active"]}),
        (_("Names and descriptions"), {"fields": ["name_zh", "name_en", "description_zh", "description_en"]}),
        (_("Price and delivery"), {"fields": ["price", "currency", "is_configurable", "delivery_days"]}),
        (_("Figures"), {"fields": ["sales_count", "created_at", "updated_at"]}),
    )
    inlines = [VariantInline, ProductImageInline, OptionGroupInline, RuleInline]
    actions = ["take_off_sale", "put_on_sale"]

    def product_ids_of(self, obj: Product) -> list[int]:
        return [obj.pk]

    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        services.delete_product(product=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        for product in queryset.order_by("pk"):
            services.delete_product(product=product)

    # Without ``permissions`` Django offers an action to everyone who may *view* the list:
    # taking products off sale is a change.
    @admin.action(description=_("Take the selected products off sale"), permissions=["change"])
    def take_off_sale(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        self._set_active(queryset, False)

    @admin.action(description=_("Put the selected products on sale"), permissions=["change"])
    def put_on_sale(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        self._set_active(queryset, True)

    def _set_active(self, queryset: QuerySet[Product], active: bool) -> None:
        with transaction.atomic():
            ids = list(queryset.values_list("pk", flat=True))
            Product.objects.filter(pk__in=ids).update(is_active=active)
            services.announce_product_changed(product_ids=ids)


class VariantValueInline(admin.TabularInline):
    model = VariantValue
    extra = 1
    fields = ["attribute", "value"]
    autocomplete_fields = ["value"]


@admin.register(Variant)
class VariantAdmin(AnnounceProductMixin, admin.ModelAdmin):
    list_display = ["sku", "product", "price", "stock", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["sku", "product__name_zh", "product__name_en"]
    autocomplete_fields = ["product"]
    list_select_related = ["product"]
    inlines = [VariantValueInline]

    def product_ids_of(self, obj: Variant) -> list[int]:
        return [obj.product_id]


class OptionInline(admin.TabularInline):
    model = Option
    extra = 1
    fields = ["code", "name_zh", "name_en", "price_delta", "is_default", "is_active", "swatch", "position"]


@admin.register(OptionGroup)
class OptionGroupAdmin(AnnounceProductMixin, admin.ModelAdmin):
    list_display = ["product", "code", "name_zh", "name_en", "required", "position"]
    search_fields = ["code", "name_zh", "product__name_zh", "product__name_en"]
    autocomplete_fields = ["product"]
    inlines = [OptionInline]

    def product_ids_of(self, obj: OptionGroup) -> list[int]:
        return [obj.product_id]


@admin.register(ConfiguredSku)
class ConfiguredSkuAdmin(admin.ModelAdmin):
    list_display = ["sku", "product", "price", "currency", "created_at"]
    search_fields = ["sku", "product__name_zh", "product__name_en"]
    readonly_fields = ["product", "signature", "options", "sku", "price", "currency", "created_at"]
    list_select_related = ["product"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(BehaviourEvent)
class BehaviourEventAdmin(admin.ModelAdmin):
    """Append-only: staff can look, never change."""

    list_display = ["occurred_at", "event_type", "product", "user", "query"]
    list_filter = ["event_type"]
    date_hierarchy = "occurred_at"
    list_select_related = ["product", "user"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
