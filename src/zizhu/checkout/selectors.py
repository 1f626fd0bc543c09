"""Read queries for checkout: a returning customer's saved addresses."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from zizhu.checkout.models import SavedAddress


def saved_addresses(*, user: Any) -> QuerySet[SavedAddress]:
    if user is None or not user.is_authenticated:
        return SavedAddress.objects.none()
    return SavedAddress.objects.filter(user=user).order_by("-last_used_at", "-id")[:10]  # type: ignore[return-value]
