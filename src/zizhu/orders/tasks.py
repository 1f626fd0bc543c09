"""Periodic jobs of orders (listed in settings.ZIZHU_PERIODIC_JOBS)."""

from __future__ import annotations

from zizhu.orders import services


def expire_unpaid_orders() -> int:
    """Cancel orders unpaid after ZIZHU_ORDER_UNPAID_MINUTES (30) and release their stock."""
    return services.expire_unpaid()
