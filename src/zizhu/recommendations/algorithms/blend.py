"""The shop's production ranking: a weighted blend of standardised model scores.

Components (each scored for the same customers, then standardised per customer so scales match):

* ``ease`` – EASE with a time decay (recent baskets say more about what comes next),
* ``als`` – implicit ALS on the same decayed matrix,
* ``knn`` – item-kNN,
* ``trending`` – how many customers bought the item in the last days (new and seasonal items),
* ``buy_again`` – the customer's own repeat purchases (counts of baskets, decayed); it only matters
  where already-bought items may be shown.

``DEFAULT_WEIGHTS`` were chosen by ``manage.py evaluate_recommendations`` on a validation split carved
from the training period only (never on the test period); the command prints the weights it chooses.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

import numpy as np
import scipy.sparse as sp

from zizhu.recommendations.algorithms.als import ALS
from zizhu.recommendations.algorithms.base import Recommender, row_standardize
from zizhu.recommendations.algorithms.ease import EASE
from zizhu.recommendations.algorithms.itemknn import ItemKNN
from zizhu.recommendations.interactions import InteractionMatrix

HALF_LIFE_DAYS = 30.0
TRENDING_DAYS = 7.0
DEFAULT_WEIGHTS: dict[str, float] = {"ease": 1.0, "als": 0.25, "knn": 0.25, "trending": 0.8, "buy_again": 2.0}
WEIGHT_GRID: dict[str, tuple[float, ...]] = {
    "ease": (1.0,),
    "als": (0.0, 0.25, 0.5),
    "knn": (0.0, 0.25),
    "trending": (0.0, 0.2, 0.4, 0.8),
    "buy_again": (0.0, 0.5, 1.0, 2.0),
}


class RecentPopularity(Recommender):
    """Items by the number of customers who bought them in the last ``days`` days (log-scaled)."""

    name = "trending"

    def __init__(self, *, days: float = TRENDING_DAYS) -> None:
        super().__init__()
        self.days = days

    def _fit(self, data: InteractionMatrix) -> None:
        self.popularity = np.log1p(data.recent_customers(self.days))

    def score(self, user_rows: np.ndarray) -> np.ndarray:
        return np.tile(self.popularity, (len(user_rows), 1))


class BuyAgain(Recommender):
    """The customer's own purchases: log(1 + baskets) × decay since the latest purchase."""

    name = "buy-again"

    def __init__(self, *, half_life_days: float = 60.0) -> None:
        super().__init__()
        self.half_life_days = half_life_days

    def _fit(self, data: InteractionMatrix) -> None:
        decay = data.latest.copy()
        decay.data = np.power(0.5, data.age_days() / self.half_life_days)
        counts = data.purchase_counts.tocsr().astype(np.float64)
        counts.data = np.log1p(counts.data)
        self.scores = sp.csr_matrix(counts.multiply(decay))

    def score(self, user_rows: np.ndarray) -> np.ndarray:
        return np.asarray(self.scores[user_rows].toarray(), dtype=np.float64)


class Blend(Recommender):
    name = "production blend"

    def __init__(
        self,
        *,
        weights: dict[str, float] | None = None,
        half_life_days: float = HALF_LIFE_DAYS,
        threads: int = 2,
        timer: Callable[[str, float], None] | None = None,
    ) -> None:
        super().__init__()
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
        self.half_life_days = half_life_days
        self.threads = threads
        self.timer = timer

    def make_components(self) -> dict[str, Recommender]:
        return {
            "ease": EASE(half_life_days=self.half_life_days),
            "als": ALS(half_life_days=self.half_life_days, threads=self.threads),
            "knn": ItemKNN(half_life_days=self.half_life_days),
            "trending": RecentPopularity(),
            "buy_again": BuyAgain(),
        }

    def _fit(self, data: InteractionMatrix) -> None:
        import time

        self.components: dict[str, Recommender] = {}
        for name, model in self.make_components().items():
            if not self.weights.get(name) and name != "ease":
                continue  # an unused part is not trained (EASE also explains the lists)
            started = time.perf_counter()
            self.components[name] = model.fit(data)
            if self.timer:
                self.timer(name, time.perf_counter() - started)

    def component_scores(self, user_rows: np.ndarray) -> dict[str, np.ndarray]:
        return {name: row_standardize(model.score(user_rows)) for name, model in self.components.items()}

    @staticmethod
    def combine(parts: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
        total: np.ndarray | None = None
        for name, part in parts.items():
            weight = weights.get(name, 0.0)
            if weight:
                total = part * weight if total is None else total + part * weight
        if total is None:
            return np.zeros_like(next(iter(parts.values())))
        return total

    def score(self, user_rows: np.ndarray) -> np.ndarray:
        return self.combine(self.component_scores(user_rows), self.weights)


def weight_candidates(grid: dict[str, tuple[float, ...]] = WEIGHT_GRID) -> Iterable[dict[str, float]]:
    names = list(grid)
    for values in itertools.product(*(grid[name] for name in names)):
        yield dict(zip(names, values, strict=True))
