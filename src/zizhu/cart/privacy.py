"""This app's part of "download my data" and "delete my account" (zizhu.accounts.privacy)."""

from __future__ import annotations

from typing import Any

from zizhu.cart.models import Cart, CartLine


def export_carts(user: Any) -> list[dict[str, Any]]:
    lines = CartLine.objects.filter(cart__user=user).order_by("cart_id", "id")
    lines = lines.values("cart_id", "cart__status", "variant__sku", "configured_sku_id", "quantity", "added_at")
    return [
        {
            "cart": row["cart_id"],
            "status": row["cart__status"],
            "sku": row["variant__sku"],
            "configuration": row["configured_sku_id"],
            "quantity": row["quantity"],
            "added_at": row["added_at"],
        }
        for row in lines
    ]


def erase(user: Any) -> None:
    Cart.objects.filter(user=user).delete()


def register() -> None:
    from zizhu.accounts import privacy

    privacy.register_exporter("carts", export_carts)
    privacy.register_eraser(erase)
