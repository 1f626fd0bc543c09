"""Back office: training runs and the stored lists (read-only: training writes them), hidden items."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zizhu.recommendations.models import BoughtTogetherItem, ForYou, HiddenItem, ModelVersion, SimilarItem


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "algorithm", "seconds")
    readonly_fields = ("created_at", "algorithm", "parameters", "stats", "seconds")


@admin.register(ForYou)
class ForYouAdmin(ReadOnlyAdmin):
    list_display = ("customer", "rank", "product", "reason", "reason_product", "reason_category", "version")
    list_select_related = ("customer", "product", "reason_product", "reason_category", "version")
    raw_id_fields = ("customer", "product", "reason_product", "reason_category", "version")
    list_filter = ("reason",)


@admin.register(SimilarItem)
class SimilarItemAdmin(ReadOnlyAdmin):
    list_display = ("source", "rank", "product", "score", "version")
    list_select_related = ("source", "product", "version")
    raw_id_fields = ("source", "product", "reason_product", "reason_category", "version")


@admin.register(BoughtTogetherItem)
class BoughtTogetherItemAdmin(ReadOnlyAdmin):
    list_display = ("source", "rank", "product", "together", "version")
    list_select_related = ("source", "product", "version")
    raw_id_fields = ("source", "product", "reason_product", "reason_category", "version")


@admin.register(HiddenItem)
class HiddenItemAdmin(ReadOnlyAdmin):
    list_display = ("customer", "product", "created_at")
    list_select_related = ("customer", "product")
    raw_id_fields = ("customer", "product")
