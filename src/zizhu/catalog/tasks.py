"""Catalogue jobs (thin: they call services). Listed in settings.ZIZHU_PERIODIC_JOBS."""

from __future__ import annotations

from zizhu.catalog import services


def purge_guest_activity() -> int:
    """Daily: forget guests' favourites and history untouched for 30 days."""
    return services.purge_guest_activity()
