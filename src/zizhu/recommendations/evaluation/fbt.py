"""Frequently-bought-together, evaluated by basket completion.

Train on baskets (invoices) before the cut; for each test basket with at least two training-period
items, hide one item at random (seeded) and ask for the best ``k`` additions to the rest; a hit is
the hidden item among them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from zizhu.recommendations.algorithms import BoughtTogether
from zizhu.recommendations.interactions import Interactions, baskets_of, build_matrix

K = 10


@dataclass
class BasketResult:
    hit_rate: float
    baskets: int
    seconds: float


def evaluate(
    events: Interactions, cut: np.datetime64, *, seed: int = 0, model: BoughtTogether | None = None
) -> BasketResult:
    train = build_matrix(baskets_of(events.before(cut)), now=cut)
    model = model or BoughtTogether()
    started = time.perf_counter()
    model.fit(train)
    seconds = time.perf_counter() - started
    test = build_matrix(baskets_of(events.since(cut)), items=train.item_ids.tolist())
    x = test.matrix.tocsr()
    sizes = np.diff(x.indptr)
    usable = np.flatnonzero(sizes >= 2)
    if not len(usable):
        return BasketResult(0.0, 0, seconds)
    rng = np.random.default_rng(seed)
    hidden = np.asarray([x.indices[x.indptr[b] + rng.integers(sizes[b])] for b in usable])
    partial = x[usable].tolil()
    for row, col in enumerate(hidden.tolist()):
        partial[row, col] = 0
    partial = sp.csr_matrix(partial)
    partial.eliminate_zeros()
    hits = 0
    for start in range(0, len(usable), 1024):
        cols, _ = model.complete(partial[start : start + 1024], K)
        hits += int((cols == hidden[start : start + 1024, None]).any(axis=1).sum())
    return BasketResult(hits / len(usable), len(usable), seconds)
