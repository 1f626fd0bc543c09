"""`manage.py seed_catalog [--scale N] [--no-images]`: the demo catalogue, optionally N times larger
(``--scale 200`` ≈ 100,000 products, for benchmarks)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import Progress

from zizhu.catalog import demo
from zizhu.catalog.models import Product


class Command(BaseCommand):
    help = "Generate the demo catalogue (deterministic); --scale multiplies the number of products."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=1, help="products per kind × N (200 ≈ 100,000 products)")
        parser.add_argument("--no-images", action="store_true", help="skip drawing product images")
        parser.add_argument("--no-announce", action="store_true", help="do not emit catalog.product.changed events")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["scale"] <= 1000:
            raise CommandError("--scale must be between 1 and 1000")
        if Product.objects.exists():
            raise CommandError("The catalogue is not empty; seed_catalog only fills an empty one.")
        started = time.monotonic()
        with Progress() as progress:
            count = demo.generate(
                progress=progress,
                scale=options["scale"],
                images=not options["no_images"],
                announce=not options["no_announce"],
            )
        self.stdout.write(self.style.SUCCESS(f"{count} products in {time.monotonic() - started:.1f} s."))
