"""This app's part of "download my data" and "delete my account" (zizhu.accounts.privacy)."""

from __future__ import annotations

from typing import Any

from zizhu.recommendations.models import DigestSchedule, ForYou, HiddenItem, HistoryReset, SizeFeedback


def export_recommendations(user: Any) -> dict[str, Any]:
    return {
        "for_you": list(ForYou.objects.filter(customer=user).order_by("rank").values_list("product__slug", flat=True)),
        "hidden": [
            {"product": row["product__slug"], "hidden_at": row["created_at"]}
            for row in HiddenItem.objects.filter(customer=user).values("product__slug", "created_at")
        ],
        "size_feedback": [
            {"order_line": row["order_line__sku"], "verdict": row["verdict"], "at": row["created_at"]}
            for row in SizeFeedback.objects.filter(customer=user).values("order_line__sku", "verdict", "created_at")
        ],
        "history_cleared_at": HistoryReset.objects.filter(customer=user).values_list("cleared_at", flat=True).first(),
        "digest": DigestSchedule.objects.filter(customer=user)
        .values("usual_hour", "time_zone", "last_digest_at", "last_digest_products")
        .first(),
    }


def erase(user: Any) -> None:
    for model in (ForYou, HiddenItem, SizeFeedback, HistoryReset, DigestSchedule):
        model.objects.filter(customer=user).delete()


def register() -> None:
    from zizhu.accounts import privacy

    privacy.register_exporter("recommendations", export_recommendations)
    privacy.register_eraser(erase)
