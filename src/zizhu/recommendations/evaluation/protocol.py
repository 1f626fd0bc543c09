"""The evaluation protocol of issue #6.

Split globally by time at the cut (train before, test from the cut on); evaluate customers seen in
both; rank all training items. ``new`` protocol: items the customer bought before the cut are excluded
from the ranking and from the relevant set; ``repeat`` protocol: they may be recommended and count.
The production blend's weights are chosen on a validation split carved from the training period
(its last ``len(test period)`` days), never on the test period.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from zizhu.recommendations.algorithms import ALS, EASE, Blend, ItemKNN, MostPopular, Recommender
from zizhu.recommendations.algorithms.blend import weight_candidates
from zizhu.recommendations.interactions import InteractionMatrix, Interactions, build_matrix
from zizhu.recommendations.metrics import Scores, mean_scores

K = 10
BATCH = 1024
Progress = Callable[[str], None]


@dataclass
class Split:
    data: InteractionMatrix
    rows: np.ndarray  # evaluated customers' rows in data
    test_items: list[set[object]]  # everything each bought in the test period

    def targets(self, *, repeat: bool) -> tuple[np.ndarray, list[set[object]], list[int]]:
        """Rows, relevant (rankable) items and relevant counts; customers with nothing relevant drop out."""
        rows, relevant, counts = [], [], []
        for row, bought_after in zip(self.rows.tolist(), self.test_items, strict=True):
            if repeat:
                wanted = bought_after
            else:
                before = set(self.data.item_ids[self.data.matrix[row].indices].tolist())
                wanted = bought_after - before
            if not wanted:
                continue
            rows.append(row)
            relevant.append({item for item in wanted if item in self.data.item_index})
            counts.append(len(wanted))
        return np.asarray(rows, dtype=np.int64), relevant, counts


def make_split(events: Interactions, cut: np.datetime64, end: np.datetime64 | None = None) -> Split:
    train = events.before(cut)
    test = events.since(cut)
    if end is not None:
        test = test.before(end)
    data = build_matrix(train, now=cut)
    bought: dict[object, set[object]] = {}
    for user, item, kind in zip(test.users.tolist(), test.items.tolist(), test.event_types.tolist(), strict=True):
        if kind == "purchase" and user in data.user_index:
            bought.setdefault(user, set()).add(item)
    users = sorted(bought, key=lambda u: data.user_index[u])
    return Split(data=data, rows=data.rows_for(users), test_items=[bought[u] for u in users])


def batches(rows: np.ndarray) -> Iterator[np.ndarray]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def rank(scorer: Callable[[np.ndarray], np.ndarray], split: Split, rows: np.ndarray, *, repeat: bool) -> list[list]:
    """Top-K item keys per row, by any scoring function over the split's items."""
    from zizhu.recommendations.algorithms.base import mask_out, top_n

    ranked: list[list] = []
    for chunk in batches(rows):
        scores = scorer(chunk)
        if not repeat:
            mask_out(scores, split.data.matrix[chunk])
        cols, _ = top_n(scores, K)
        ranked.extend([split.data.item_ids[c[c >= 0]].tolist() for c in cols])
    return ranked


def evaluate(scorer: Callable[[np.ndarray], np.ndarray], split: Split, *, repeat: bool) -> Scores:
    rows, relevant, counts = split.targets(repeat=repeat)
    return mean_scores(rank(scorer, split, rows, repeat=repeat), relevant, K, counts)


def baselines() -> dict[str, Recommender]:
    return {
        "most-popular": MostPopular(),
        "item-kNN": ItemKNN(neighbours=50),
        "EASE": EASE(l2=300.0),
        "ALS": ALS(factors=64, regularization=1.0, alpha=1.0, iterations=15),
    }


def tune_blend(events: Interactions, cut: np.datetime64, test_days: float, progress: Progress) -> dict[str, float]:
    """Choose the blend's weights on the last ``test_days`` of the training period."""
    val_cut = cut - np.timedelta64(round(test_days * 86400), "s")
    split = make_split(events.before(cut), val_cut)
    progress("validation split: fitting the blend's parts")
    blend = Blend(weights=dict.fromkeys(("ease", "als", "knn", "trending", "buy_again"), 1.0))
    blend.fit(split.data)
    cache: dict[bool, tuple[np.ndarray, list[set[object]], list[int], dict[str, np.ndarray]]] = {}
    for repeat in (False, True):
        rows, relevant, counts = split.targets(repeat=repeat)
        cache[repeat] = (rows, relevant, counts, blend.component_scores(rows))

    def score_with(weights: dict[str, float], repeat: bool) -> float:
        rows, relevant, counts, parts = cache[repeat]
        position = {row: pos for pos, row in enumerate(rows.tolist())}
        ranked = rank(
            lambda chunk: Blend.combine(
                {n: p[[position[r] for r in chunk.tolist()]] for n, p in parts.items()}, weights
            ),
            split,
            rows,
            repeat=repeat,
        )
        return mean_scores(ranked, relevant, K, counts).ndcg

    best: tuple[float, dict[str, float]] = (-1.0, {})
    for weights in weight_candidates():
        if weights["buy_again"]:
            continue  # buy-again cannot change the new-items ranking: chosen below
        ndcg = score_with(weights, repeat=False)
        if ndcg > best[0]:
            best = (ndcg, weights)
    chosen = dict(best[1])
    progress(f"validation: new-items NDCG@{K} {best[0]:.4f} with {chosen}")
    best_repeat = (-1.0, 0.0)
    for weight in sorted({w["buy_again"] for w in weight_candidates()}):
        ndcg = score_with({**chosen, "buy_again": weight}, repeat=True)
        if ndcg > best_repeat[0]:
            best_repeat = (ndcg, weight)
    chosen["buy_again"] = best_repeat[1]
    progress(f"validation: repeat NDCG@{K} {best_repeat[0]:.4f} with buy_again={best_repeat[1]}")
    return chosen


@dataclass
class Result:
    name: str
    seconds: float
    new: Scores
    repeat: Scores


@dataclass
class Report:
    cut: np.datetime64
    customers: int
    items: int
    train_events: int
    results: list[Result] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    tune_seconds: float = 0.0


def run(
    events: Interactions,
    cut: np.datetime64,
    *,
    progress: Progress,
    models: dict[str, Recommender] | None = None,
    weights: dict[str, float] | None = None,
) -> Report:
    split = make_split(events, cut)
    report = Report(cut=cut, customers=len(split.rows), items=split.data.shape[1], train_events=len(events.before(cut)))
    end = events.occurred_at.max()
    test_days = float((end - cut) / np.timedelta64(1, "D"))
    if weights is None:
        started = time.perf_counter()
        weights = tune_blend(events, cut, test_days, progress)
        report.tune_seconds = time.perf_counter() - started
    report.weights = weights
    candidates = dict(baselines() if models is None else models)
    candidates["production blend"] = Blend(weights=weights)
    for name, model in candidates.items():
        progress(f"training {name}")
        started = time.perf_counter()
        model.fit(split.data)
        seconds = time.perf_counter() - started
        progress(f"evaluating {name}")
        report.results.append(
            Result(
                name=name,
                seconds=seconds,
                new=evaluate(model.score, split, repeat=False),
                repeat=evaluate(model.score, split, repeat=True),
            )
        )
    return report
