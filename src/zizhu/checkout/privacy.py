"""This app's part of "download my data" and "delete my account" (zizhu.accounts.privacy)."""

from __future__ import annotations

from typing import Any

from zizhu.checkout.models import SavedAddress, VoucherRedemption


def export_addresses(user: Any) -> list[dict[str, Any]]:
    """Saved addresses, decrypted (the person's own data)."""
    return [
        {
            "name": address.name,
            "phone": address.phone,
            "province": address.province,
            "city": address.city,
            "district": address.district,
            "line": address.line,
            "last_used_at": address.last_used_at,
        }
        for address in SavedAddress.objects.filter(user=user)
    ]


def export_vouchers(user: Any) -> list[dict[str, Any]]:
    rows = VoucherRedemption.objects.filter(customer=user).values("voucher__code", "order_number", "created_at")
    return [{"voucher": r["voucher__code"], "order": r["order_number"], "at": r["created_at"]} for r in rows]


def erase(user: Any) -> None:
    SavedAddress.objects.filter(user=user).delete()
    # Voucher use stays counted (per-customer limits, accounting), without the person.
    VoucherRedemption.objects.filter(customer=user).update(customer=None, email="")


def register() -> None:
    from zizhu.accounts import privacy

    privacy.register_exporter("addresses", export_addresses)
    privacy.register_exporter("voucher_uses", export_vouchers)
    privacy.register_eraser(erase)
