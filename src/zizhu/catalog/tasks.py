"""Catalogue jobs (thin: they call services). Listed in settings.ZIZHU_PERIODIC_JOBS."""

from __future__ import annotations

from zizhu.catalog import services


def purge_guest_activity() -> int:
    """Daily: forget guests' favourites and history untouched for 30 days."""
    return services.purge_guest_activity()


def flush_recorded_activity() -> int:
    """Every few seconds: write the queued product views, history touches and behaviour events in bulk
    (nothing to do when the queue is off, as in the embedded profile)."""
    return services.flush_recorded_activity()
