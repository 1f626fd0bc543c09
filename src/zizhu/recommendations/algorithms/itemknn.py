"""Item-kNN: cosine similarity between item columns, keeping each item's ``k`` nearest neighbours.

A customer's score for item j sums the similarities between j and those of the customer's items that
are among j's nearest neighbours.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from zizhu.recommendations.algorithms.base import Recommender
from zizhu.recommendations.interactions import InteractionMatrix


def cosine_similarity(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Item × item cosine of the columns of ``matrix``, diagonal removed."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=0), dtype=np.float64).ravel())
    scale = sp.diags(1.0 / np.where(norms > 0, norms, 1.0))
    normalised = (sp.csr_matrix(matrix, dtype=np.float64) @ scale).tocsc()
    similarity = (normalised.T @ normalised).tocsr()
    similarity.setdiag(0.0)
    similarity.eliminate_zeros()
    return similarity


def keep_top_k(similarity: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Per row (item), only the ``k`` largest similarities."""
    similarity = similarity.tocsr()
    rows, cols, vals = [], [], []
    for item in range(similarity.shape[0]):
        start, end = similarity.indptr[item], similarity.indptr[item + 1]
        if start == end:
            continue
        data = similarity.data[start:end]
        idx = similarity.indices[start:end]
        if end - start > k:
            best = np.argpartition(-data, k - 1)[:k]
            data, idx = data[best], idx[best]
        rows.append(np.full(len(idx), item))
        cols.append(idx)
        vals.append(data)
    if not rows:
        return sp.csr_matrix(similarity.shape)
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=similarity.shape)


class ItemKNN(Recommender):
    name = "item-kNN"

    def __init__(self, *, neighbours: int = 50, half_life_days: float | None = None) -> None:
        super().__init__()
        self.neighbours = neighbours
        self.half_life_days = half_life_days

    def _fit(self, data: InteractionMatrix) -> None:
        self.user_items = data.decayed(self.half_life_days)
        # Row i of ``nearest``: i's k nearest items. A customer's score for j sums the similarities of
        # the items they have that are among j's nearest (the neighbourhood of the item being scored).
        self.nearest = keep_top_k(cosine_similarity(data.matrix), self.neighbours)
        self.neighbourhoods = self.nearest.T.tocsr()

    def score(self, user_rows: np.ndarray) -> np.ndarray:
        return np.asarray((self.user_items[user_rows] @ self.neighbourhoods).toarray(), dtype=np.float64)

    def similar_items(self, item_cols: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``n`` most similar items of each item (by cosine)."""
        from zizhu.recommendations.algorithms.base import top_n

        scores = self.nearest[item_cols].toarray()
        scores[scores <= 0] = -np.inf
        return top_n(scores, n)
