"""`manage.py train_recommendations`: train on the shop's behaviour events now and store the lists."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from zizhu.recommendations import services

STEPS = {
    "load": "Loading behaviour events",
    "fit": "Training models",
    "for_you": "Personal lists",
    "similar": "Similar items",
    "together": "Bought together",
    "write:foryou": "Saving personal lists",
    "write:similaritem": "Saving similar items",
    "write:boughttogetheritem": "Saving bought-together lists",
}


class Command(BaseCommand):
    help = "Train the recommenders on all behaviour events and replace the stored lists."

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(stderr=True)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        tasks: dict[str, TaskID] = {}
        with Progress(*columns, console=console) as progress:

            def report(step: str, done: int, total: int) -> None:
                if step not in tasks:
                    tasks[step] = progress.add_task(STEPS.get(step, step), total=max(total, 1))
                progress.update(tasks[step], completed=done if total else 1, total=max(total, 1))

            version = services.train_recommendations(progress=report)
        stats = version.stats
        rows = stats.get("rows", {})
        self.stdout.write(
            self.style.SUCCESS(
                f"Model version {version.pk}: {stats.get('events', 0)} events, {stats.get('customers', 0)} customers, "
                f"{stats.get('items', 0)} products; {rows.get('for_you', 0)} personal, {rows.get('similar', 0)} "
                f"similar, {rows.get('together', 0)} bought-together rows in {version.seconds:.1f} s."
            )
        )
