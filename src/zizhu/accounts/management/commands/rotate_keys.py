"""`manage.py rotate_keys`: re-encrypt personal data under the newest FIELD_ENCRYPTION_KEYS key.

1. Put a new key first in FIELD_ENCRYPTION_KEYS (keep the old ones) and restart the web processes.
2. Run this command (it can be stopped and run again: it resumes where it stopped).
3. When it reports nothing left under old keys, remove the old keys from the setting.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from zizhu.accounts import keys
from zizhu.core.crypto import DecryptionError, keyring


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field under the newest key (resumable); --reindex rebuilds blind indexes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")
        parser.add_argument("--dry-run", action="store_true", help="Only count what is left to re-encrypt.")
        parser.add_argument(
            "--reindex", action="store_true", help="Also recompute blind indexes (after BLIND_INDEX_KEY changed)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = int(options["batch_size"])
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        newest = keyring().newest
        plan = keys.pending()
        left = sum(item.count for item in plan)
        self.stdout.write(f"Newest key: {newest}. Values under older keys: {left}.")
        if options["dry_run"]:
            for item in plan:
                self.stdout.write(f"  {item.label}: {item.count}")
            return
        console = Console(file=getattr(self.stdout, "_out", self.stdout))  # rich writes its own line ends
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            for item in plan:
                task = progress.add_task(f"Re-encrypting {item.label}", total=item.count or 1)

                def advance(model: Any, count: int, task: Any = task) -> None:
                    progress.advance(task, count)

                try:
                    keys.rotate_model(item.model, item.fields, batch_size=batch_size, on_batch=advance)
                except DecryptionError as exc:
                    raise CommandError(f"{item.label}: {exc}") from exc
                progress.update(task, completed=item.count or 1)
            if options["reindex"]:
                for model, fields in keys.blind_indexed_models():
                    total = model._base_manager.count()
                    task = progress.add_task(f"Re-indexing {model._meta.label}", total=total or 1)
                    keys.reindex_model(
                        model, fields, batch_size=batch_size, on_batch=lambda m, n, t=task: progress.advance(t, n)
                    )
                    progress.update(task, completed=total or 1)
        remaining = sum(item.count for item in keys.pending())
        if remaining:
            raise CommandError(f"{remaining} values are still under older keys; run the command again.")
        self.stdout.write(self.style.SUCCESS(f"Every encrypted value is under the key {newest!r}."))
