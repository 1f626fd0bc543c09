"""This app's part of "download my data" and "delete my account" (zizhu.accounts.privacy)."""

from __future__ import annotations

from typing import Any

from zizhu.recommendations.models import ForYou, HiddenItem


def export_recommendations(user: Any) -> dict[str, Any]:
    return {
        "for_you": list(ForYou.objects.filter(customer=user).order_by("rank").values_list("product__slug", flat=True)),
        "hidden": [
            {"product": row["product__slug"], "hidden_at": row["created_at"]}
            for row in HiddenItem.objects.filter(customer=user).values("product__slug", "created_at")
        ],
    }


def erase(user: Any) -> None:
    ForYou.objects.filter(customer=user).delete()
    HiddenItem.objects.filter(customer=user).delete()


def register() -> None:
    from zizhu.accounts import privacy

    privacy.register_exporter("recommendations", export_recommendations)
    privacy.register_eraser(erase)
