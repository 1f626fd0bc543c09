from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zizhu.cart.owners import header_count


def cart(request: HttpRequest) -> dict[str, Any]:
    """The header's cart link: the item count from the session (no query)."""
    return {"cart_item_count": header_count(request)}
