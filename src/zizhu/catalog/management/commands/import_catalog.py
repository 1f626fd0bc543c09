"""`manage.py import_catalog FILE`: import products and variants from CSV or JSON.

Checks every row first and lists each bad row with its line number; imports nothing
unless the whole file is good; re-importing updates products (by slug) and variants
(by SKU). Format: docs/catalog.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from zizhu.catalog import importing, services


class Command(BaseCommand):
    help = "Import a catalogue from a CSV or JSON file (all or nothing; re-import updates by SKU)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A .csv or .json file (see docs/catalog.md)")
        parser.add_argument("--check", action="store_true", help="Only check the file; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(stderr=True)
        try:
            rows = importing.read_rows(options["file"])
        except importing.ImportFileError as exc:
            raise CommandError(str(exc)) from None
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("Checking rows", total=len(rows))
            products, problems = importing.check_rows(rows, advance=lambda: progress.advance(task))
            if problems or options["check"]:
                progress.stop()
            else:
                write_task = progress.add_task("Importing products", total=len(products))
                counts = services.apply_import(products=products, advance=lambda: progress.advance(write_task))
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(problems)} problem(s) in {options['file']}; nothing was imported. Fix them and run again."
            )
        if options["check"]:
            self.stdout.write(self.style.SUCCESS(f"{len(rows)} rows are fine ({len(products)} products)."))
            return
        self.stdout.write(
            self.style.SUCCESS(
                "Imported: {products_created} new and {products_updated} updated products, "
                "{variants_created} new and {variants_updated} updated variants.".format(**counts)
            )
        )
