"""Recommender jobs (thin: they call services). ``train_nightly`` is in settings.ZIZHU_PERIODIC_JOBS."""

from __future__ import annotations

from celery import shared_task

from zizhu.recommendations import services


def train_nightly() -> int | None:
    """Hourly check; trains at night when the last model is older than 20 hours (or none exists)."""
    version = services.train_if_due()
    return version.pk if version else None


@shared_task(name="zizhu.recommendations.tasks.train_recommendations_task", acks_late=True, reject_on_worker_lost=True)
def train_recommendations_task() -> int:
    """On demand (back office, after an import): train now."""
    return services.train_recommendations().pk


def send_digests() -> int:
    """Hourly (settings.ZIZHU_PERIODIC_JOBS): digests to the customers whose usual hour of the week is now."""
    return services.send_digests()


@shared_task(name="zizhu.recommendations.tasks.send_digests_task", acks_late=True, reject_on_worker_lost=True)
def send_digests_task() -> int:
    return services.send_digests()
