"""What every recommender has in common: fit, score, and a top-N that skips excluded items."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import scipy.sparse as sp

from zizhu.recommendations.interactions import InteractionMatrix


class Recommender(ABC):
    """Fit on an interaction matrix; score every item for some customers (rows of that matrix)."""

    name = "base"

    def __init__(self) -> None:
        self.data: InteractionMatrix | None = None

    def fit(self, data: InteractionMatrix) -> Recommender:
        self.data = data
        self._fit(data)
        return self

    @abstractmethod
    def _fit(self, data: InteractionMatrix) -> None: ...

    @abstractmethod
    def score(self, user_rows: np.ndarray) -> np.ndarray:
        """Dense (len(user_rows), n_items) scores; higher is better."""

    @property
    def fitted(self) -> InteractionMatrix:
        if self.data is None:
            raise RuntimeError(f"{self.name} is not fitted")
        return self.data

    def recommend(
        self,
        user_rows: np.ndarray,
        n: int = 10,
        *,
        exclude: sp.csr_matrix | bool | None = True,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top ``n`` item columns and their scores per row.

        ``exclude=True`` skips what the customer already interacted with; a sparse matrix (one row per
        entry of ``user_rows``) skips its non-zero cells; ``False``/``None`` excludes nothing.
        """
        user_rows = np.asarray(user_rows, dtype=np.int64)
        scores = self.score(user_rows)
        if exclude is True:
            exclude = self.fitted.matrix[user_rows]
        if exclude is not None and exclude is not False:
            mask_out(scores, exclude)
        return top_n(scores, n)


def mask_out(scores: np.ndarray, exclude: sp.csr_matrix) -> None:
    """Set the excluded cells to -inf in place."""
    coo = sp.coo_matrix(exclude)
    scores[coo.row, coo.col] = -np.inf


def top_n(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns of the ``n`` best finite scores per row (best first) and the scores; -1 pads missing."""
    n_rows, n_items = scores.shape
    n = min(n, n_items)
    if n <= 0:
        return np.empty((n_rows, 0), dtype=np.int64), np.empty((n_rows, 0))
    everything = np.tile(np.arange(n_items), (n_rows, 1))
    part = np.argpartition(-scores, n - 1, axis=1)[:, :n] if n < n_items else everything
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -part_scores), axis=1)  # ties: lower column first (stable, deterministic)
    cols = np.take_along_axis(part, order, axis=1)
    best = np.take_along_axis(part_scores, order, axis=1)
    cols = np.where(np.isfinite(best), cols, -1)
    return cols, best


def row_standardize(scores: np.ndarray) -> np.ndarray:
    """Per row: zero mean, unit spread (so differently scaled models can be added)."""
    scores = np.asarray(scores, dtype=np.float64)
    mean = scores.mean(axis=1, keepdims=True)
    spread = scores.std(axis=1, keepdims=True)
    return (scores - mean) / np.where(spread > 0, spread, 1.0)
