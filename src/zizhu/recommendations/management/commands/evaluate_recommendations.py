"""`manage.py evaluate_recommendations [--data PATH]`: offline evaluation on UCI Online Retail.

Protocol (issue #6) in ``zizhu.recommendations.evaluation.protocol``; the data set goes through the
shop's own matrix builder. Absent data set: says so and exits 0.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from threadpoolctl import threadpool_limits

from zizhu.recommendations.algorithms import Blend, BoughtTogether
from zizhu.recommendations.algorithms.blend import DEFAULT_WEIGHTS
from zizhu.recommendations.evaluation import fbt, protocol, retail
from zizhu.recommendations.interactions import baskets_of, build_matrix

DEFAULT_CUT = "2011-11-02"


class Command(BaseCommand):
    help = "Measure the recommenders on the UCI Online Retail data set (Recall, NDCG, HitRate @10)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", type=Path, default=None, help="the data file or its folder (default: settings)")
        parser.add_argument("--cut", default=DEFAULT_CUT, help="train before this date, test from it (YYYY-MM-DD)")
        parser.add_argument("--no-tune", action="store_true", help="use the shop's blend weights, skip validation")
        parser.add_argument("--threads", type=int, default=2, help="BLAS and ALS threads")

    def handle(self, *args: Any, **options: Any) -> None:
        # Results go to the command's stdout (call_command captures it); progress goes to stderr.
        stream = getattr(self.stdout, "_out", sys.stdout)
        console = Console(file=stream, width=max(Console(file=stream).width, 110))
        where = options["data"] or Path(settings.ZIZHU_DATASETS_DIR)
        file = retail.find_data_file(Path(where))
        if file is None:
            self.stdout.write(
                f"No UCI Online Retail data set at {where} (looked for {', '.join(retail.FILE_NAMES)}); "
                "nothing to evaluate. Pass --data PATH or set ZIZHU_DATASETS_DIR."
            )
            return
        try:
            cut = np.datetime64(options["cut"], "s")
        except ValueError:
            raise CommandError(f"--cut: not a date: {options['cut']}") from None
        with threadpool_limits(limits=options["threads"], user_api="blas"):
            self._evaluate(console, file, cut, tune=not options["no_tune"])

    def _evaluate(self, console: Console, file: Path, cut: np.datetime64, *, tune: bool) -> None:
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("Reading the data set")
            started = time.perf_counter()
            events = retail.load_interactions(file)
            load_seconds = time.perf_counter() - started

            def say(message: str) -> None:
                progress.update(task, description=message)

            report = protocol.run(events, cut, progress=say, weights=None if tune else dict(DEFAULT_WEIGHTS))
            say("bought together: basket completion")
            baskets = fbt.evaluate(events, cut)
            say("training on the whole data set")
            full = _full_training_seconds(events)
        console.print(
            f"[bold]{file}[/]: {len(events):,} purchase lines (read in {load_seconds:.1f} s); cut {cut}: "
            f"{report.train_events:,} training lines, {report.items:,} items, {report.customers:,} customers "
            "in both periods."
        )
        if tune:
            console.print(
                f"Blend weights chosen on the validation split (training period only, {report.tune_seconds:.1f} s): "
                f"{report.weights}"
            )
        else:
            console.print(f"Blend weights (the shop's defaults): {report.weights}")
        console.print(_table(report, repeat=False))
        console.print(_table(report, repeat=True))
        console.print(
            f"Frequently bought together, one item hidden from each of {baskets.baskets:,} test baskets: "
            f"HitRate@{fbt.K} [bold]{baskets.hit_rate:.3f}[/] (trained in {baskets.seconds:.1f} s)"
        )
        console.print(
            "Training on the whole data set (production blend + similar items + bought together): "
            f"[bold]{sum(full.values()):.1f} s[/] ({', '.join(f'{k} {v:.1f} s' for k, v in full.items())})"
        )


def _table(report: protocol.Report, *, repeat: bool) -> Table:
    title = (
        "Repeat purchases allowed (items bought before the cut may be recommended and count)"
        if repeat
        else "New items only (items bought before the cut excluded)"
    )
    table = Table(title=title)
    for column in (
        "model",
        f"Recall@{protocol.K}",
        f"NDCG@{protocol.K}",
        f"HitRate@{protocol.K}",
        "customers",
        "train s",
    ):
        table.add_column(column, justify="left" if column == "model" else "right")
    for result in report.results:
        scores = result.repeat if repeat else result.new
        table.add_row(
            result.name,
            f"{scores.recall:.4f}",
            f"{scores.ndcg:.4f}",
            f"{scores.hit_rate:.4f}",
            f"{scores.count:,}",
            f"{result.seconds:.2f}",
        )
    return table


def _full_training_seconds(events: Any) -> dict[str, float]:
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    data = build_matrix(events)
    seconds["matrix"] = time.perf_counter() - started
    started = time.perf_counter()
    Blend().fit(data)
    seconds["blend"] = time.perf_counter() - started
    started = time.perf_counter()
    from zizhu.recommendations.algorithms import ItemKNN

    ItemKNN().fit(data)
    seconds["similar"] = time.perf_counter() - started
    started = time.perf_counter()
    BoughtTogether().fit(build_matrix(baskets_of(events)))
    seconds["bought together"] = time.perf_counter() - started
    return seconds
