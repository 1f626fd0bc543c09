"""Most popular: items ranked by how many customers interacted with them (weighted)."""

from __future__ import annotations

import numpy as np

from zizhu.recommendations.algorithms.base import Recommender
from zizhu.recommendations.interactions import InteractionMatrix


class MostPopular(Recommender):
    name = "most-popular"

    def _fit(self, data: InteractionMatrix) -> None:
        self.popularity = np.asarray(data.matrix.sum(axis=0), dtype=np.float64).ravel()

    def score(self, user_rows: np.ndarray) -> np.ndarray:
        return np.tile(self.popularity, (len(user_rows), 1))
