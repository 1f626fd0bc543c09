"""This app's part of "download my data" and "delete my account" (zizhu.accounts.privacy).

A deleted customer's orders stay, for accounting: lines, amounts, dates, statuses and the region
(province and city, for tax and delivery statistics). The contact and address snapshot is erased.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from zizhu.orders.models import Order, OrderLine


def export_orders(user: Any) -> list[dict[str, Any]]:
    orders = Order.objects.filter(customer=user).prefetch_related(Prefetch("lines", OrderLine.objects.order_by("id")))
    return [
        {
            "number": order.number,
            "status": order.status,
            "placed_at": order.placed_at,
            "paid_at": order.paid_at,
            "email": order.email,
            "contact_name": order.contact_name,
            "contact_phone": order.contact_phone,
            "address": {
                "province": order.province,
                "city": order.city,
                "district": order.district,
                "line": order.address_line,
                "adcode": order.adcode,
            },
            "delivery": order.delivery_method,
            "subtotal": order.subtotal,
            "discount": order.discount,
            "delivery_fee": order.delivery_fee,
            "total": order.total,
            "currency": order.currency,
            "lines": [
                {
                    "sku": line.sku,
                    "name": line.name,
                    "options": line.options,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "line_total": line.line_total,
                }
                for line in order.lines.all()
            ],
        }
        for order in orders.order_by("placed_at", "id")
    ]


def erase(user: Any) -> None:
    """Keep the orders, anonymised: no link to the person, no name, phone, e-mail or street address."""
    for order in Order.objects.select_for_update().filter(customer=user).order_by("pk"):
        order.customer = None
        order.email = ""
        order.contact_name = ""
        order.contact_phone = ""
        order.district = ""
        order.address_line = ""
        # The geocode is the district's code and centre: as telling as the district name.
        order.adcode = ""
        order.latitude = order.longitude = None
        fields = ["customer", "email", "contact_name", "contact_phone", "district", "address_line"]
        order.save(update_fields=[*fields, "adcode", "latitude", "longitude"])


def register() -> None:
    from zizhu.accounts import privacy

    privacy.register_exporter("orders", export_orders)
    privacy.register_eraser(erase)
