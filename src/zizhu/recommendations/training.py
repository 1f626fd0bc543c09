"""Training: interactions → fitted models → top-N lists with reasons (no database writes here).

``services.train_recommendations`` loads the shop's events, calls :func:`compute_lists` and stores the
result. The same models and matrix builder are what ``evaluate_recommendations`` measures.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from zizhu.recommendations.algorithms import Blend, BoughtTogether, ItemKNN
from zizhu.recommendations.algorithms.base import mask_out, top_n
from zizhu.recommendations.interactions import (
    EVENT_WEIGHTS,
    InteractionMatrix,
    Interactions,
    baskets_of,
    build_matrix,
)

# progress(step label, done, total)
Progress = Callable[[str, int, int], None]
BATCH = 512
COLD_START_ITEMS = 5  # a customer with fewer items (and no purchase) gets the cold-start list


@dataclass
class ListRow:
    owner: int  # customer id (for you) or source product id
    product: int
    rank: int
    score: float
    reason: str
    reason_product: int | None = None
    reason_category: int | None = None
    together: int = 0


@dataclass
class TrainedLists:
    for_you: list[ListRow] = field(default_factory=list)
    similar: list[ListRow] = field(default_factory=list)
    together: list[ListRow] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)


def _quiet(label: str, done: int, total: int) -> None:
    return None


def compute_lists(
    events: Interactions,
    *,
    now: np.datetime64,
    size: int,
    allowed: set[int],
    hidden: dict[int, set[int]],
    categories: dict[int, int],
    weights: dict[str, float] | None = None,
    threads: int = 2,
    progress: Progress = _quiet,
) -> TrainedLists:
    """``allowed``: product ids that may be recommended; ``hidden``: per customer, products never to show;
    ``categories``: product id → category id (for "popular in …")."""
    out = TrainedLists()
    data = build_matrix(events, now=now)
    out.stats = {"events": len(events), "customers": data.shape[0], "items": data.shape[1], "cells": data.matrix.nnz}
    if not data.shape[0] or not data.shape[1]:
        return out

    def timed(label: str) -> Callable[[str, float], None]:
        return lambda part, seconds: out.seconds.__setitem__(f"{label}:{part}", seconds)

    progress("fit", 0, 3)
    blend = Blend(weights=weights, threads=threads, timer=timed("blend"))
    blend.fit(data)
    progress("fit", 1, 3)
    started = time.perf_counter()
    knn = ItemKNN().fit(data)
    out.seconds["similar"] = time.perf_counter() - started
    progress("fit", 2, 3)
    started = time.perf_counter()
    basket_data = build_matrix(baskets_of(events), now=now)
    together = BoughtTogether().fit(basket_data) if basket_data.shape[1] else None
    out.seconds["bought_together"] = time.perf_counter() - started
    progress("fit", 3, 3)

    item_ids = data.item_ids
    blocked = np.asarray([int(i) not in allowed for i in item_ids.tolist()])
    customers = np.asarray([not isinstance(u, str) for u in data.user_ids.tolist()])  # guests are "guest:…"
    rows = np.flatnonzero(customers)
    popular = np.argsort(-np.diff(data.matrix.tocsc().indptr), kind="stable")  # customers per item
    started = time.perf_counter()
    for done in range(0, len(rows), BATCH):
        chunk = rows[done : done + BATCH]
        scores = blend.score(chunk)
        scores[:, blocked] = -np.inf
        mask_out(scores, _bought_once(data, chunk))
        for pos, row in enumerate(chunk.tolist()):
            for item in hidden.get(int(data.user_ids[row]), ()):
                col = data.item_index.get(item)
                if col is not None:
                    scores[pos, col] = -np.inf
        cols, best = top_n(scores, size)
        for pos, row in enumerate(chunk.tolist()):
            rows_out = _explain(blend, data, row, cols[pos], best[pos], categories)
            if _thin_history(data, row):
                rows_out = _cold_start(data, row, rows_out, popular, np.isfinite(scores[pos]), categories, size)
            out.for_you.extend(rows_out)
        progress("for_you", min(done + BATCH, len(rows)), len(rows))
    out.seconds["for_you"] = time.perf_counter() - started

    all_items = np.arange(len(item_ids))
    for done in range(0, len(all_items), BATCH):
        chunk = all_items[done : done + BATCH]
        cols, best = knn.similar_items(chunk, size + 1)
        for pos, col in enumerate(chunk.tolist()):
            out.similar.extend(_item_list(item_ids, col, cols[pos], best[pos], size, blocked, "similar"))
        progress("similar", min(done + BATCH, len(all_items)), len(all_items))
    if together is not None:
        b_ids = basket_data.item_ids
        b_blocked = np.asarray([int(i) not in allowed for i in b_ids.tolist()])
        b_items = np.arange(len(b_ids))
        for done in range(0, len(b_items), BATCH):
            chunk = b_items[done : done + BATCH]
            cols, best = together.related(chunk, size + 1)
            for pos, col in enumerate(chunk.tolist()):
                rows_out = _item_list(b_ids, col, cols[pos], best[pos], size, b_blocked, "bought_together")
                for row_out in rows_out:
                    row_out.together = int(together.together[col, basket_data.item_index[row_out.product]])
                out.together.extend(rows_out)
            progress("together", min(done + BATCH, len(b_items)), len(b_items))
    return out


def _thin_history(data: InteractionMatrix, row: int) -> bool:
    """Too little to learn from: fewer than ``COLD_START_ITEMS`` items and nothing bought."""
    return data.matrix[row].nnz < COLD_START_ITEMS and data.purchase_counts[row].nnz == 0


def _cold_start(
    data: InteractionMatrix,
    row: int,
    learned: list[ListRow],
    popular: np.ndarray,
    allowed: np.ndarray,
    categories: dict[int, int],
    size: int,
) -> list[ListRow]:
    """A thin history's list: what the customer's own items point to, then the most popular items of the
    categories they looked at ("popular in 手机"), then the most popular of the shop."""
    user = int(data.user_ids[row])
    out = [item for item in learned if item.reason in ("because_viewed", "because_bought")]
    taken = {item.product for item in out}
    own = data.matrix[row]
    weights: dict[int, float] = {}
    for col, weight in zip(own.indices.tolist(), own.data.tolist(), strict=True):
        category = categories.get(int(data.item_ids[col]))
        if category is not None:
            weights[category] = weights.get(category, 0.0) + weight
    looked_at = sorted(weights, key=lambda c: -weights[c])
    seen = set(own.indices.tolist())  # popular things they already looked at are no news
    for wanted in [*looked_at, None]:
        for col in popular.tolist():
            if len(out) >= size:
                break
            product = int(data.item_ids[col])
            category = categories.get(product)
            if not allowed[col] or col in seen or product in taken or (wanted is not None and category != wanted):
                continue
            reason = "popular_in_category" if wanted is not None else "popular"
            out.append(ListRow(user, product, 0, 0.0, reason, reason_category=wanted))
            taken.add(product)
    for rank, item in enumerate(out, start=1):
        item.rank = rank
    return out


def _bought_once(data: InteractionMatrix, rows: np.ndarray) -> sp.csr_matrix:
    """What each customer bought exactly once: not offered again. Things bought repeatedly come back as
    "buy again" (the customer repurchases them); things only looked at stay candidates."""
    counts = sp.csr_matrix(data.purchase_counts[rows])
    counts.data = (counts.data == 1).astype(np.float32)
    counts.eliminate_zeros()
    return counts


def _item_list(
    item_ids: np.ndarray, source: int, cols: np.ndarray, best: np.ndarray, size: int, blocked: np.ndarray, reason: str
) -> list[ListRow]:
    rows: list[ListRow] = []
    for col, score in zip(cols.tolist(), best.tolist(), strict=True):
        if col < 0 or col == source or blocked[col] or len(rows) >= size:
            continue
        rows.append(ListRow(int(item_ids[source]), int(item_ids[col]), len(rows) + 1, float(score), reason))
    return rows


def _explain(
    blend: Blend, data: InteractionMatrix, row: int, cols: np.ndarray, best: np.ndarray, categories: dict[int, int]
) -> list[ListRow]:
    """Why each item is on the list: buy again, the customer's item that pointed to it, or popularity."""
    user = int(data.user_ids[row])
    own = data.matrix[row]
    own_cols, own_weights = own.indices, own.data
    bought = set(data.purchase_counts[row].indices.tolist())
    ease = blend.components["ease"]
    influence = ease.weights[own_cols] * own_weights[:, None] if len(own_cols) else None  # type: ignore[attr-defined]
    rows: list[ListRow] = []
    for col, score in zip(cols.tolist(), best.tolist(), strict=True):
        if col < 0:
            continue
        product = int(data.item_ids[col])
        item = ListRow(user, product, len(rows) + 1, float(score), "popular")
        if col in bought:
            item.reason, item.reason_product = "buy_again", product
        elif influence is not None and influence[:, col].max() > 0:
            source = int(own_cols[int(np.argmax(influence[:, col]))])
            strongest = float(data.matrix[row, source])
            item.reason = "because_bought" if strongest >= EVENT_WEIGHTS["purchase"] else "because_viewed"
            item.reason_product = int(data.item_ids[source])
        elif categories.get(product) is not None:
            item.reason, item.reason_category = "popular_in_category", categories.get(product)
        rows.append(item)
    return rows
