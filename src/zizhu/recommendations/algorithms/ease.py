"""EASE (Steck, 2019): a closed-form item-item linear model.

``B = I - P / diag(P)`` with ``P = (XᵀX + λI)⁻¹`` and a zero diagonal; a customer's scores are
``x_u B``. The Gram matrix is dense (items × items), fine for a few thousand items. With a half-life,
recent interactions weigh more, both in the Gram matrix and in the customer's row.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from zizhu.recommendations.algorithms.base import Recommender
from zizhu.recommendations.interactions import InteractionMatrix


class EASE(Recommender):
    name = "EASE"

    def __init__(self, *, l2: float = 300.0, half_life_days: float | None = None) -> None:
        super().__init__()
        self.l2 = l2
        self.half_life_days = half_life_days

    def _fit(self, data: InteractionMatrix) -> None:
        self.user_items = data.decayed(self.half_life_days)
        x = self.user_items
        gram = np.asarray((x.T @ x).toarray(), dtype=np.float64)
        # λ is given for 0/1 data; scale it with the mean squared weight so decay does not change its strength.
        mean_square = float(np.mean(np.square(x.data))) if x.nnz else 1.0
        gram[np.diag_indices_from(gram)] += self.l2 * mean_square
        precision = scipy.linalg.inv(gram, overwrite_a=True, check_finite=False)
        weights = precision / (-np.diag(precision))
        weights[np.diag_indices_from(weights)] = 0.0
        self.weights = weights.astype(np.float32)

    def score(self, user_rows: np.ndarray) -> np.ndarray:
        return np.asarray(self.user_items[user_rows] @ self.weights, dtype=np.float64)
