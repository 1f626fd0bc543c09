"""`manage.py seed_demo`: load the demo data of every app, with a progress bar."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zizhu.core.demo import run_seeders


class Command(BaseCommand):
    help = "Load demo data (demo customer and staff member, and each app's demo content)."

    def handle(self, *args: object, **options: object) -> None:
        run_seeders()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
