"""Celery application. Production runs a worker and beat; embedded runs tasks eagerly."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zizhu.config.settings")

app = Celery("zizhu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule_periodic_jobs(sender, **kwargs):
    """Beat runs the same periodic jobs that the embedded scheduler runs."""
    from django.conf import settings

    for dotted_path, seconds in settings.ZIZHU_PERIODIC_JOBS:
        sender.add_periodic_task(
            float(seconds),
            sender.signature("zizhu.core.tasks.run_periodic_job", args=(dotted_path,)),
            name=dotted_path,
        )
