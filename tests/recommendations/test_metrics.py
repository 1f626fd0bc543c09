"""The metrics against hand-computed examples."""

from __future__ import annotations

import math

import pytest

from zizhu.recommendations.metrics import hit_rate_at_k, mean_scores, ndcg_at_k, recall_at_k

pytestmark = pytest.mark.smoke


def test_metrics_of_a_known_ranking() -> None:
    ranked = ["a", "b", "c", "d"]
    relevant = {"b", "d"}
    # top 3 = a, b, c: one hit, at rank 2
    assert recall_at_k(ranked, relevant, 3) == pytest.approx(1 / 2)
    dcg = 1 / math.log2(3)
    ideal = 1 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at_k(ranked, relevant, 3) == pytest.approx(dcg / ideal)  # 0.3869
    assert ndcg_at_k(ranked, relevant, 3) == pytest.approx(0.386852807)
    assert hit_rate_at_k(ranked, relevant, 3) == 1.0
    assert hit_rate_at_k(ranked, relevant, 1) == 0.0


def test_unrankable_relevant_items_count_as_misses() -> None:
    # 3 relevant, one of which did not exist before the cut: recall over min(k, 3)
    assert recall_at_k(["x", "y"], {"x", "z"}, 2, n_relevant=3) == pytest.approx(1 / 2)
    assert ndcg_at_k(["x", "y"], {"x"}, 2, n_relevant=1) == pytest.approx(1.0)


def test_perfect_and_empty_lists() -> None:
    assert ndcg_at_k(["a", "b"], {"a", "b"}, 10) == pytest.approx(1.0)
    assert recall_at_k(["a", "b"], {"a", "b"}, 10) == pytest.approx(1.0)
    assert ndcg_at_k([], {"a"}, 10) == 0.0
    assert recall_at_k(["a"], set(), 10) == 0.0


def test_mean_scores_averages_per_customer() -> None:
    scores = mean_scores([["a", "b"], ["c", "d"]], [{"a"}, {"x"}], k=2)
    assert scores.count == 2
    assert scores.hit_rate == pytest.approx(0.5)
    assert scores.ndcg == pytest.approx(0.5)
    assert scores.recall == pytest.approx(0.5)
