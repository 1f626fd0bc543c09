"""Ranking metrics at a cut-off k, for one ranked list and a set of relevant items.

* Recall@k = hits in the top k / min(k, number of relevant items) (so a perfect list scores 1),
* NDCG@k = Σ hits / log2(rank + 1) over the top k, divided by the same sum for an ideal list,
* HitRate@k = 1 if anything relevant is in the top k, else 0.

``n_relevant`` may be larger than the relevant items that can be ranked at all (e.g. bought items that
did not exist in the training period): they count in the denominators, as misses.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np


def _hits(ranked: Sequence[object], relevant: Collection[object], k: int) -> np.ndarray:
    return np.asarray([1.0 if item in relevant else 0.0 for item in list(ranked)[:k]])


def recall_at_k(ranked: Sequence[object], relevant: Collection[object], k: int, n_relevant: int | None = None) -> float:
    total = len(relevant) if n_relevant is None else n_relevant
    if total == 0:
        return 0.0
    return float(_hits(ranked, relevant, k).sum() / min(k, total))


def ndcg_at_k(ranked: Sequence[object], relevant: Collection[object], k: int, n_relevant: int | None = None) -> float:
    total = len(relevant) if n_relevant is None else n_relevant
    if total == 0:
        return 0.0
    hits = _hits(ranked, relevant, k)
    dcg = float((hits / np.log2(np.arange(2, len(hits) + 2))).sum())
    ideal = float((1.0 / np.log2(np.arange(2, min(k, total) + 2))).sum())
    return dcg / ideal


def hit_rate_at_k(ranked: Sequence[object], relevant: Collection[object], k: int) -> float:
    return float(_hits(ranked, relevant, k).any())


@dataclass
class Scores:
    """Mean metrics over the evaluated customers (or baskets)."""

    recall: float
    ndcg: float
    hit_rate: float
    count: int


def mean_scores(
    rankings: Sequence[Sequence[object]],
    relevants: Sequence[Collection[object]],
    k: int,
    n_relevants: Sequence[int] | None = None,
) -> Scores:
    recall, ndcg, hits = [], [], []
    for pos, (ranked, relevant) in enumerate(zip(rankings, relevants, strict=True)):
        total = n_relevants[pos] if n_relevants is not None else len(relevant)
        recall.append(recall_at_k(ranked, relevant, k, total))
        ndcg.append(ndcg_at_k(ranked, relevant, k, total))
        hits.append(hit_rate_at_k(ranked, relevant, k))
    if not recall:
        return Scores(0.0, 0.0, 0.0, 0)
    return Scores(float(np.mean(recall)), float(np.mean(ndcg)), float(np.mean(hits)), len(recall))
