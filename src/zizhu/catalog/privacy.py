"""This app's part of "download my data" and "delete my account" (zizhu.accounts.privacy)."""

from __future__ import annotations

from typing import Any

from zizhu.catalog import recording
from zizhu.catalog.models import BehaviourEvent, BrowsingHistory, Favourite


def export_favourites(user: Any) -> list[dict[str, Any]]:
    rows = Favourite.objects.filter(user=user).values("product__slug", "created_at")
    return [{"product": row["product__slug"], "added_at": row["created_at"]} for row in rows]


def export_history(user: Any) -> list[dict[str, Any]]:
    recording.flush(wait=True)  # the latest views may still be queued
    rows = BrowsingHistory.objects.filter(user=user).values("product__slug", "viewed_at")
    return [{"product": row["product__slug"], "viewed_at": row["viewed_at"]} for row in rows]


def export_behaviour(user: Any) -> list[dict[str, Any]]:
    recording.flush(wait=True)  # the latest events may still be queued
    rows = BehaviourEvent.objects.filter(user=user).order_by("occurred_at", "id")
    rows = rows.values("event_type", "product__slug", "query", "occurred_at")
    return [
        {"type": r["event_type"], "product": r["product__slug"], "search": r["query"], "at": r["occurred_at"]}
        for r in rows
    ]


def erase(user: Any) -> None:
    """Favourites and history go; behaviour events stay for the recommender without any link to the person.
    (Records still queued for the account are written after it is gone: without the link, see
    ``catalog.recording``.)"""
    Favourite.objects.filter(user=user).delete()
    BrowsingHistory.objects.filter(user=user).delete()
    BehaviourEvent.objects.filter(user=user).update(user=None, session_key="")


def register() -> None:
    from zizhu.accounts import privacy

    privacy.register_exporter("favourites", export_favourites)
    privacy.register_exporter("browsing_history", export_history)
    privacy.register_exporter("behaviour_events", export_behaviour)
    privacy.register_eraser(erase)
