"""Timely suggestions: each customer's usual hour of the week, and the short digest text.

The hour is learned from behaviour-event timestamps in the customer's time zone: events are counted
per hour of the week (Monday 00:00 = 0 … Sunday 23:00 = 167) over the last weeks, each hour's count
is smoothed with its neighbours (activity at 19:50 and 20:10 is the same evening), and the busiest
hour wins. ``services.learn_activity_hours`` stores it, ``services.send_digests`` uses it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db.models import Count
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zizhu.catalog.models import BehaviourEvent

HOURS_PER_WEEK = 168
LEARN_WEEKS = 12  # activity further back says little about today's habits
MIN_EVENTS = 3  # fewer: no usual hour (no digest rather than one at a random time)
NEIGHBOUR_WEIGHT = 0.5
DIGEST_INTERVAL = timedelta(days=7)
DIGEST_ITEMS = 5


def shop_time_zone() -> str:
    return str(getattr(settings, "TIME_ZONE", "Asia/Shanghai") or "Asia/Shanghai")


def customer_time_zone(customer: Any) -> str:
    """The customer's own zone when the account has one, else the shop's (Asia/Shanghai)."""
    return str(getattr(customer, "time_zone", "") or shop_time_zone())


def hour_of_week(moment: datetime, zone: str) -> int:
    local = timezone.localtime(moment, ZoneInfo(zone))
    return local.weekday() * 24 + local.hour


def usual_hour(counts: np.ndarray) -> int | None:
    """The busiest hour of a 168-hour histogram after smoothing with both neighbours (the week wraps)."""
    if counts.sum() < MIN_EVENTS:
        return None
    smoothed = counts + NEIGHBOUR_WEIGHT * (np.roll(counts, 1) + np.roll(counts, -1))
    return int(np.argmax(smoothed))


def activity_histograms(*, since: datetime, zone: str) -> dict[int, np.ndarray]:
    """Per signed-in customer, events per hour of the week (one aggregate query in the database)."""
    tz = ZoneInfo(zone)
    rows = (
        BehaviourEvent.objects.filter(user__isnull=False, occurred_at__gte=since)
        .annotate(day=ExtractIsoWeekDay("occurred_at", tzinfo=tz), hour=ExtractHour("occurred_at", tzinfo=tz))
        .values("user_id", "day", "hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    histograms: dict[int, np.ndarray] = defaultdict(lambda: np.zeros(HOURS_PER_WEEK))
    for row in rows:
        histograms[row["user_id"]][(int(row["day"]) - 1) * 24 + int(row["hour"])] += row["n"]
    return dict(histograms)


def due_hours(now: datetime, zone: str) -> list[int]:
    """The hours of the week a run at ``now`` serves: this hour and the previous one, so a scheduler
    that drifts past the hour boundary (or skipped a beat) still reaches everyone within the week."""
    current = hour_of_week(now, zone)
    return [current, (current - 1) % HOURS_PER_WEEK]


def digest_text(*, customer: Any, rows: Iterable[Any]) -> tuple[str, str]:
    """Subject and body in the customer's language: one line per pick, with its reason."""
    language = getattr(customer, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("New picks for you this week")
        lines = [_("Here is what we picked for you this week:"), ""]
        for row in rows:
            lines.append(f"• {row.product.name} — {row.product.base_price} ({row.explanation})")
        lines += ["", _("You get at most one such digest a week. You can turn it off in your notification settings.")]
    return subject, "\n".join(lines)
