"""`manage.py dispatch_events`: dispatch outbox events now (once, or in a loop)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from zizhu.core import events


class Command(BaseCommand):
    help = "Dispatch due outbox events to their handlers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep dispatching every second.")
        parser.add_argument("--batch", type=int, default=100)

    def handle(self, *args: object, **options: object) -> None:
        while True:
            handled = events.dispatch_pending(limit=int(options["batch"]))  # type: ignore[arg-type]
            if options["verbosity"] and handled:  # type: ignore[operator]
                self.stdout.write(f"Dispatched {handled} event(s).")
            if not options["loop"]:
                return
            time.sleep(1)
