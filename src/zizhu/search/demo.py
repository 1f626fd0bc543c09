"""Demo seeder: index the demo catalogue (runs after the catalogue's seeder)."""

from __future__ import annotations

from rich.progress import Progress

from zizhu.catalog.models import Product
from zizhu.search import services


def seed(progress: Progress | None = None) -> None:
    if progress is None:
        services.rebuild_index()
        return
    task = progress.add_task("Indexing products for search", total=Product.objects.filter(is_active=True).count())
    services.rebuild_index(progress=lambda n: progress.advance(task, n))
    progress.remove_task(task)
