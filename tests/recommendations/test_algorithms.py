"""Algorithms on tiny hand-made histories where the right answer is known (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import scipy.sparse as sp

from zizhu.recommendations.algorithms import ALS, EASE, Blend, BoughtTogether, ItemKNN, MostPopular, top_n
from zizhu.recommendations.interactions import Interactions, baskets_of, build_matrix

pytestmark = pytest.mark.smoke
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def purchases(baskets: dict[str, tuple[object, list[str]]], days: dict[str, int] | None = None) -> Interactions:
    """{basket: (customer, [items])} → purchase events (a basket per order)."""
    rows = []
    for basket, (user, items) in baskets.items():
        when = T0 + timedelta(days=(days or {}).get(basket, 0))
        rows.extend((user, item, "purchase", when, basket) for item in items)
    return Interactions.from_rows(rows)


# Five customers bought A, B and C; customer 6 bought A and B; two others bought D (popular alone).
ABC = purchases(
    {
        **{f"o{u}": (u, ["A", "B", "C"]) for u in range(1, 6)},
        "o6": (6, ["A", "B"]),
        "o7": (7, ["D"]),
        "o8": (8, ["D", "E"]),
    }
)


def names(data, cols) -> list[str]:
    return [data.item_ids[c] for c in cols if c >= 0]


def test_matrix_keeps_the_strongest_event_and_counts_baskets() -> None:
    rows = [
        (1, "A", "view", T0, ""),
        (1, "A", "view", T0, ""),
        (1, "A", "favourite", T0, ""),
        (1, "B", "add_to_cart", T0, ""),
        (1, "B", "purchase", T0, "o1"),
        (1, "B", "purchase", T0 + timedelta(days=3), "o2"),
        (1, "B", "purchase", T0 + timedelta(days=3), "o2"),  # two lines of one order: one basket
        (2, "A", "search", T0, ""),  # searches carry no item weight
    ]
    data = build_matrix(Interactions.from_rows(rows))
    assert list(data.user_ids) == [1]
    assert list(data.item_ids) == ["A", "B"]
    assert data.matrix.toarray().tolist() == [[0.5, 1.0]]
    assert data.purchase_counts.toarray().tolist() == [[0.0, 2.0]]


def test_time_decay_halves_per_half_life() -> None:
    rows = [(1, "A", "purchase", T0, ""), (1, "B", "purchase", T0 + timedelta(days=10), "")]
    data = build_matrix(Interactions.from_rows(rows), now=np.datetime64("2026-01-21T00:00:00"))
    assert data.decayed(10.0).toarray() == pytest.approx(np.array([[0.25, 0.5]]))
    assert data.recent_customers(11.0).tolist() == [0.0, 1.0]


def test_columns_can_be_fixed_to_a_catalogue() -> None:
    data = build_matrix(ABC, items=["A", "B"])
    assert data.shape == (6, 2)  # customers 7 and 8 had only other items


def test_most_popular_counts_customers() -> None:
    data = build_matrix(ABC)
    model = MostPopular().fit(data)
    assert dict(zip(data.item_ids, model.popularity, strict=True)) == {"A": 6, "B": 6, "C": 5, "D": 2, "E": 1}
    cols, _ = model.recommend(data.rows_for([7]), n=2)
    assert names(data, cols[0]) == ["A", "B"]


@pytest.mark.parametrize(
    "model", [EASE(l2=1.0), ItemKNN(neighbours=3), ALS(factors=4, iterations=10, threads=1), Blend(threads=1)]
)
def test_customer_who_bought_a_and_b_gets_c(model) -> None:
    data = build_matrix(ABC)
    model.fit(data)
    cols, scores = model.recommend(data.rows_for([6]), n=1)
    assert names(data, cols[0]) == ["C"]
    assert np.isfinite(scores[0, 0])


def test_item_knn_cosine_by_hand() -> None:
    # A: customers 1,2,3; B: 1,3; C: 2
    data = build_matrix(purchases({"1": (1, ["A", "B"]), "2": (2, ["A", "C"]), "3": (3, ["A", "B"])}))
    model = ItemKNN(neighbours=1).fit(data)
    a, b, c = (data.item_index[i] for i in "ABC")
    cos_ab, cos_ac = 2 / np.sqrt(3 * 2), 1 / np.sqrt(3 * 1)
    assert model.nearest[a, b] == pytest.approx(cos_ab)
    assert model.nearest[a, c] == 0  # only the nearest neighbour of A is kept
    assert model.nearest[c, a] == pytest.approx(cos_ac)
    # customer 2 (has A, C) scores B by A's similarity to B only if A is among B's neighbours: it is
    scores = model.score(data.rows_for([2]))[0]
    assert scores[b] == pytest.approx(cos_ab)


def test_ease_is_the_closed_form() -> None:
    data = build_matrix(ABC)
    x = data.matrix.toarray()
    model = EASE(l2=2.0).fit(data)
    p = np.linalg.inv(x.T @ x + 2.0 * np.eye(x.shape[1]))
    expected = -p / np.diag(p)
    np.fill_diagonal(expected, 0.0)
    assert model.weights == pytest.approx(expected.astype(np.float32), abs=1e-5)
    assert model.score(data.rows_for([6])) == pytest.approx(x[[data.user_index[6]]] @ expected, abs=1e-5)


def test_excluded_items_are_never_returned() -> None:
    data = build_matrix(ABC)
    model = EASE(l2=1.0).fit(data)
    row = data.rows_for([6])
    exclude = sp.csr_matrix(([1.0], ([0], [data.item_index["C"]])), shape=(1, data.shape[1]))
    cols, _ = model.recommend(row, n=5, exclude=exclude)
    assert "C" not in names(data, cols[0])
    cols, _ = model.recommend(row, n=5)  # default: what the customer already has
    assert not {"A", "B"} & set(names(data, cols[0]))


def test_top_n_breaks_ties_by_column_and_pads() -> None:
    scores = np.array([[1.0, 3.0, 3.0, -np.inf]])
    cols, best = top_n(scores, 4)
    assert cols.tolist() == [[1, 2, 0, -1]]
    assert best[0, :3].tolist() == [3.0, 3.0, 1.0]


def test_buy_again_ranks_repeat_purchases() -> None:
    events = purchases({"a": (1, ["X", "Y"]), "b": (1, ["X"]), "c": (1, ["X"]), "d": (2, ["Y", "Z"])})
    data = build_matrix(events)
    blend = Blend(weights={"ease": 0.0, "buy_again": 1.0}).fit(data)
    cols, _ = blend.recommend(data.rows_for([1]), n=1, exclude=False)
    assert names(data, cols[0]) == ["X"]


def test_bought_together_confidence_and_lift_by_hand() -> None:
    baskets = build_matrix(
        baskets_of(purchases({"1": (1, ["A", "B"]), "2": (2, ["A", "B"]), "3": (3, ["A", "C"]), "4": (4, ["B"])}))
    )
    model = BoughtTogether(min_count=1, ranking="confidence").fit(baskets)
    a, b, c = (baskets.item_index[i] for i in "ABC")
    assert model.together[a, b] == 2
    assert model.confidence[a, b] == pytest.approx(2 / 3)  # 3 baskets with A, 2 with B too
    assert model.confidence[b, a] == pytest.approx(2 / 3)
    assert model.lift[a, c] == pytest.approx(1 * 4 / (3 * 1))
    cols, _ = model.related(np.array([a]), 2)
    assert names(baskets, cols[0]) == ["B", "C"]
    strict = BoughtTogether(min_count=2).fit(baskets)
    cols, _ = strict.related(np.array([a]), 2)
    assert names(baskets, cols[0]) == ["B"]  # A+C only once


def test_bought_together_completes_a_basket() -> None:
    history = {f"o{i}": (i, ["tea", "cup", "saucer"]) for i in range(6)}
    history.update({f"p{i}": (100 + i, ["pen", "ink"]) for i in range(6)})
    baskets = build_matrix(baskets_of(purchases(history)))
    model = BoughtTogether().fit(baskets)
    partial = sp.csr_matrix(
        ([1.0, 1.0], ([0, 0], [baskets.item_index["tea"], baskets.item_index["cup"]])), shape=(1, baskets.shape[1])
    )
    cols, _ = model.complete(partial, 3)
    assert names(baskets, cols[0]) == ["saucer"]
