"""Implicit-feedback ALS (Hu, Koren & Volinsky 2008) through the ``implicit`` package."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from zizhu.recommendations.algorithms.base import Recommender
from zizhu.recommendations.interactions import InteractionMatrix


class ALS(Recommender):
    name = "ALS"

    def __init__(
        self,
        *,
        factors: int = 64,
        regularization: float = 1.0,
        alpha: float = 1.0,
        iterations: int = 15,
        half_life_days: float | None = None,
        threads: int = 2,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.params = {
            "factors": factors,
            "regularization": regularization,
            "alpha": alpha,
            "iterations": iterations,
        }
        self.half_life_days = half_life_days
        self.threads = threads
        self.seed = seed

    def _fit(self, data: InteractionMatrix) -> None:
        from implicit.cpu.als import AlternatingLeastSquares

        user_items = data.decayed(self.half_life_days).astype(np.float32).tocsr()
        # implicit runs its own threads; BLAS inside them must stay single-threaded (it checks on creation).
        with threadpool_limits(limits=1, user_api="blas"):
            model = AlternatingLeastSquares(
                **self.params, num_threads=self.threads, random_state=self.seed, calculate_training_loss=False
            )
            model.fit(user_items, show_progress=False)
        self.user_factors = np.asarray(model.user_factors, dtype=np.float32)
        self.item_factors = np.asarray(model.item_factors, dtype=np.float32)

    def score(self, user_rows: np.ndarray) -> np.ndarray:
        return np.asarray(self.user_factors[user_rows] @ self.item_factors.T, dtype=np.float64)
