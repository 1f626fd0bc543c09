"""Recommendation algorithms: each ``fit(matrix)`` then ``recommend(user_rows, n, exclude=...)``.

``matrix`` is an :class:`~zizhu.recommendations.interactions.InteractionMatrix`; scores are dense
``(len(user_rows), n_items)`` arrays, ranked by :func:`base.top_n`.
"""

from zizhu.recommendations.algorithms.als import ALS
from zizhu.recommendations.algorithms.base import Recommender, top_n
from zizhu.recommendations.algorithms.blend import Blend, BuyAgain, RecentPopularity
from zizhu.recommendations.algorithms.cooccurrence import BoughtTogether
from zizhu.recommendations.algorithms.ease import EASE
from zizhu.recommendations.algorithms.itemknn import ItemKNN
from zizhu.recommendations.algorithms.popularity import MostPopular

__all__ = [
    "ALS",
    "EASE",
    "Blend",
    "BoughtTogether",
    "BuyAgain",
    "ItemKNN",
    "MostPopular",
    "RecentPopularity",
    "Recommender",
    "top_n",
]
