"""The embedded profile's periodic-job runner: a daemon thread inside `manage.py run`.

Production uses Celery beat with the same ``ZIZHU_PERIODIC_JOBS`` list.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class Scheduler(threading.Thread):
    def __init__(self, jobs: list[tuple[str, int]] | None = None, tick_seconds: float = 1.0):
        super().__init__(name="zizhu-scheduler", daemon=True)
        self.jobs = list(jobs if jobs is not None else settings.ZIZHU_PERIODIC_JOBS)
        self.tick_seconds = tick_seconds
        self.stopped = threading.Event()
        self.next_run = {path: 0.0 for path, _ in self.jobs}

    def run(self) -> None:
        while not self.stopped.is_set():
            self.run_due_jobs(time.monotonic())
            self.stopped.wait(self.tick_seconds)

    def run_due_jobs(self, now: float) -> None:
        for path, interval in self.jobs:
            if now < self.next_run[path]:
                continue
            self.next_run[path] = now + interval
            try:
                close_old_connections()
                import_string(path)()
            except Exception:
                logger.exception("Periodic job %s failed", path)
            finally:
                close_old_connections()

    def stop(self) -> None:
        self.stopped.set()
