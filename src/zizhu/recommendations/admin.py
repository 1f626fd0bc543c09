"""Back office: training runs and the stored lists (read-only: training writes them), hidden items."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zizhu.recommendations.models import (
    BoughtTogetherItem,
    DigestSchedule,
    ForYou,
    HiddenItem,
    HistoryReset,
    ModelVersion,
    SimilarItem,
    SizeFeedback,
)


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


@admin.register(SizeFeedback)
class SizeFeedbackAdmin(ReadOnlyAdmin):
    list_display = ("customer", "order_line", "verdict", "source", "created_at")
    list_select_related = ("customer", "order_line")
    raw_id_fields = ("customer", "order_line")
    list_filter = ("verdict", "source")


@admin.register(DigestSchedule)
class DigestScheduleAdmin(ReadOnlyAdmin):
    list_display = ("customer", "usual_hour", "time_zone", "events", "learned_at", "last_digest_at")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)


@admin.register(HistoryReset)
class HistoryResetAdmin(ReadOnlyAdmin):
    list_display = ("customer", "cleared_at")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)
