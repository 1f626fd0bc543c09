"""Interactions → a customer × item matrix: the one code path of the shop and of the offline evaluation.

The shop feeds it behaviour events (``selectors.load_shop_interactions``); the evaluation feeds it
invoice lines of the UCI Online Retail data set (``evaluation.retail``). Both become an
:class:`Interactions` (parallel numpy arrays, one entry per event) and then a :class:`InteractionMatrix`.

Each event counts with the weight of its type, strongest signal first::

    view 0.25 < favourite 0.5 < add_to_cart 0.75 < purchase 1.0      (search events carry no item: 0)

A customer-item cell holds the **strongest** weighted event (not the sum: ten views are not a
purchase). With purchases only the matrix is binary (bought / not bought), which is what EASE, item-kNN
and ALS expect. The time of each cell's latest event is kept too, so a model can ask for a time decay
``0.5 ** (age_days / half_life_days)`` measured from ``now`` (``InteractionMatrix.decayed``).
``purchase_counts`` counts distinct baskets per cell, for "buy again".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import scipy.sparse as sp

EVENT_WEIGHTS: dict[str, float] = {
    "view": 0.25,
    "favourite": 0.5,
    "add_to_cart": 0.75,
    "purchase": 1.0,
}


@dataclass(frozen=True)
class Interactions:
    """Events as parallel arrays. ``users``/``items``/``baskets`` hold hashable keys (ids, codes)."""

    users: np.ndarray
    items: np.ndarray
    event_types: np.ndarray
    occurred_at: np.ndarray  # datetime64[s], UTC
    baskets: np.ndarray | None = None  # an order / invoice per event ("" when none)

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[object, object, str, datetime, object]]) -> Interactions:
        """Rows of (user, item, event_type, occurred_at, basket); convenient for tests and small shops."""
        if not rows:
            return cls.empty()
        users, items, types, times, baskets = zip(*rows, strict=True)
        return cls(
            users=np.asarray(users, dtype=object),
            items=np.asarray(items, dtype=object),
            event_types=np.asarray(types, dtype=object),
            occurred_at=np.asarray([_to_datetime64(t) for t in times], dtype="datetime64[s]"),
            baskets=np.asarray(["" if b is None else b for b in baskets], dtype=object),
        )

    @classmethod
    def empty(cls) -> Interactions:
        nothing = np.asarray([], dtype=object)
        return cls(nothing, nothing, nothing, np.asarray([], dtype="datetime64[s]"), nothing)

    def __len__(self) -> int:
        return len(self.users)

    def select(self, mask: np.ndarray) -> Interactions:
        return Interactions(
            users=self.users[mask],
            items=self.items[mask],
            event_types=self.event_types[mask],
            occurred_at=self.occurred_at[mask],
            baskets=None if self.baskets is None else self.baskets[mask],
        )

    def before(self, moment: np.datetime64) -> Interactions:
        return self.select(self.occurred_at < moment)

    def since(self, moment: np.datetime64) -> Interactions:
        return self.select(self.occurred_at >= moment)


def _to_datetime64(value: datetime) -> np.datetime64:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return np.datetime64(value, "s")


@dataclass
class InteractionMatrix:
    """``matrix[u, i]``: the strongest event weight of customer ``user_ids[u]`` on item ``item_ids[i]``.

    ``latest`` has the same cells and holds when the latest of their events happened (days since
    1970, as float); ``now`` is the reference time for ages (the latest event unless given).
    """

    matrix: sp.csr_matrix
    latest: sp.csr_matrix
    user_ids: np.ndarray
    item_ids: np.ndarray
    purchase_counts: sp.csr_matrix
    now: np.datetime64
    user_index: dict[object, int] = field(default_factory=dict)
    item_index: dict[object, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.user_index:
            self.user_index = {key: row for row, key in enumerate(self.user_ids.tolist())}
        if not self.item_index:
            self.item_index = {key: col for col, key in enumerate(self.item_ids.tolist())}

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape  # type: ignore[return-value]

    def rows_for(self, users: Sequence[object]) -> np.ndarray:
        return np.asarray([self.user_index[u] for u in users], dtype=np.int64)

    def age_days(self) -> np.ndarray:
        """Age of each stored cell's latest event, aligned with ``matrix.data``."""
        return np.maximum(_days(self.now) - self.latest.data, 0.0)

    def decayed(self, half_life_days: float | None) -> sp.csr_matrix:
        """Weights × ``0.5 ** (age / half_life)``; the plain weights when no half-life is given."""
        if half_life_days is None:
            return self.matrix
        out = self.matrix.copy()
        out.data = (out.data * np.power(0.5, self.age_days() / half_life_days)).astype(np.float32)
        return out

    def recent_customers(self, days: float) -> np.ndarray:
        """Per item: how many customers interacted with it in the last ``days`` days."""
        recent = self.latest.copy()
        recent.data = (self.age_days() <= days).astype(np.float32)
        return np.asarray(recent.sum(axis=0), dtype=np.float64).ravel()


def _days(moment: np.datetime64 | np.ndarray) -> np.ndarray:
    return np.asarray(moment, dtype="datetime64[s]").astype(np.float64) / 86400.0


def build_matrix(
    interactions: Interactions,
    *,
    weights: dict[str, float] | None = None,
    now: np.datetime64 | None = None,
    items: Sequence[object] | None = None,
) -> InteractionMatrix:
    """Build the CSR matrices. ``items`` fixes the columns (e.g. the training catalogue); others are dropped."""
    weights = EVENT_WEIGHTS if weights is None else weights
    event_weight = np.asarray([weights.get(t, 0.0) for t in interactions.event_types.tolist()], dtype=np.float64)
    keep = event_weight > 0
    if items is not None:
        known = set(items)
        keep &= np.fromiter((i in known for i in interactions.items.tolist()), dtype=bool, count=len(interactions))
    events = interactions.select(keep)
    event_weight = event_weight[keep]

    user_ids, user_codes = _factorize(events.users)
    if items is None:
        item_ids, item_codes = _factorize(events.items)
    else:
        item_ids = np.asarray(list(items), dtype=object)
        lookup = {key: col for col, key in enumerate(item_ids.tolist())}
        item_codes = np.fromiter((lookup[i] for i in events.items.tolist()), dtype=np.int64, count=len(events))
    shape = (len(user_ids), len(item_ids))
    reference = now if now is not None else (events.occurred_at.max() if len(events) else np.datetime64(0, "s"))

    when = _days(events.occurred_at) + 1.0  # +1: never a stored zero
    matrix = _per_cell(user_codes, item_codes, event_weight, shape)
    latest = _per_cell(user_codes, item_codes, when, shape)
    purchases = events.event_types == "purchase"
    purchase_counts = _distinct_baskets(events, user_codes, item_codes, purchases, shape)
    latest.data -= 1.0
    return InteractionMatrix(
        matrix=matrix,
        latest=latest,
        user_ids=user_ids,
        item_ids=item_ids,
        purchase_counts=purchase_counts,
        now=np.datetime64(reference, "s"),
    )


def _factorize(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct keys and each key's position in them."""
    if not len(keys):
        return np.asarray([], dtype=object), np.asarray([], dtype=np.int64)
    ordered = sorted(set(keys.tolist()), key=lambda k: (type(k).__name__, k))
    lookup = {key: pos for pos, key in enumerate(ordered)}
    codes = np.fromiter((lookup[k] for k in keys.tolist()), dtype=np.int64, count=len(keys))
    return np.asarray(ordered, dtype=object), codes


def _per_cell(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """The largest value per (row, col) cell, as CSR (sorted indices, so two calls align cell by cell)."""
    if not len(values):
        return sp.csr_matrix(shape, dtype=np.float64)
    cell = rows * shape[1] + cols
    order = np.lexsort((-values, cell))  # per cell, the largest value first
    first = np.ones(len(order), dtype=bool)
    first[1:] = cell[order][1:] != cell[order][:-1]
    pick = order[first]
    out = sp.csr_matrix((values[pick], (rows[pick], cols[pick])), shape=shape)
    out.sort_indices()
    return out


def _distinct_baskets(
    events: Interactions, rows: np.ndarray, cols: np.ndarray, purchases: np.ndarray, shape: tuple[int, int]
) -> sp.csr_matrix:
    """How many different baskets (orders, invoices; days when unknown) bought each cell."""
    if not purchases.any():
        return sp.csr_matrix(shape, dtype=np.float32)
    day = events.occurred_at[purchases].astype("datetime64[D]").astype(str).astype(object)
    given = None if events.baskets is None else events.baskets[purchases]
    basket = day if given is None else np.where(given == "", day, given)
    _, basket_codes = np.unique(basket.astype(str), return_inverse=True)
    triples = np.unique(np.stack([rows[purchases], cols[purchases], basket_codes.ravel()]), axis=1)
    ones = np.ones(triples.shape[1], dtype=np.float32)
    counts = sp.csr_matrix((ones, (triples[0], triples[1])), shape=shape)
    counts.sum_duplicates()
    return counts


def baskets_of(events: Interactions) -> Interactions:
    """The same purchases with the basket as the row key (what the basket matrix is built from)."""
    purchases = events.select(events.event_types == "purchase")
    day = purchases.occurred_at.astype("datetime64[D]").astype(str).astype(object)
    users = purchases.users.astype(str).astype(object)
    fallback = users + ":" + day
    keys = fallback if purchases.baskets is None else np.where(purchases.baskets == "", fallback, purchases.baskets)
    return Interactions(
        users=keys.astype(object),
        items=purchases.items,
        event_types=purchases.event_types,
        occurred_at=purchases.occurred_at,
        baskets=purchases.baskets,
    )
