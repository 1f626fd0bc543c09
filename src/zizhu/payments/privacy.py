"""This app's part of "download my data" and "delete my account" (zizhu.accounts.privacy).

Payments stay for accounting; deleting the account removes their link to the person (the foreign
key is SET_NULL) — this eraser does it explicitly, before the row goes.
"""

from __future__ import annotations

from typing import Any

from zizhu.payments.models import Payment


def export_payments(user: Any) -> list[dict[str, Any]]:
    rows = Payment.objects.filter(customer=user).order_by("created_at", "id")
    fields = (
        "number",
        "reference",
        "amount",
        "currency",
        "method",
        "status",
        "card_brand",
        "card_last4",
        "created_at",
        "paid_at",
        "refunded_amount",
    )
    return list(rows.values(*fields))


def erase(user: Any) -> None:
    Payment.objects.filter(customer=user).update(customer=None)


def register() -> None:
    from zizhu.accounts import privacy
    from zizhu.payments import password_free, saved_cards

    privacy.register_exporter("payments", export_payments)
    privacy.register_exporter("saved_cards", saved_cards.export)  # brand, last 4, expiry: never the token
    privacy.register_eraser(erase)
    privacy.register_eraser(saved_cards.erase)  # deleted, and detached at the gateway after commit
    privacy.register_exporter("password_free_payment", password_free.export)  # 小额免密: on/off and the limit
    privacy.register_eraser(password_free.erase)
