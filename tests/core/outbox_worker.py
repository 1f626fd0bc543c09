"""A dispatcher process for the kill test: its handler writes one row per event, slowly."""

import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zizhu.config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from zizhu.core import events  # noqa: E402


@events.handler("test.effect", name="tests.write_effect")
def write_effect(event):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO outbox_test_effect (event_id, written_at) VALUES (%s, now())", [event.pk])
    time.sleep(0.02)  # a slow side effect, so that the kill lands in the middle


if __name__ == "__main__":
    while True:
        events.dispatch_pending(limit=10)
        time.sleep(0.01)
