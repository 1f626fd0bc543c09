"""The offline evaluation: its protocol on a hand-made case, and the command on a real slice of the data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from zizhu.recommendations.evaluation import protocol, retail
from zizhu.recommendations.interactions import Interactions

FIXTURE = Path(__file__).parent / "fixtures" / "online_retail_slice.csv"
CUT = np.datetime64("2026-01-10T00:00:00")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def history() -> Interactions:
    before, after = T0, T0 + timedelta(days=12)
    rows = [
        (1, "A", "purchase", before, "1"),
        (1, "B", "purchase", before, "1"),
        (2, "A", "purchase", before, "2"),
        (2, "C", "purchase", before, "2"),
        (3, "D", "purchase", before, "3"),
        # after the cut: 1 buys B again and C (new); 2 buys only A again; 9 was never seen before
        (1, "B", "purchase", after, "4"),
        (1, "C", "purchase", after, "4"),
        (1, "NEW", "purchase", after, "4"),
        (2, "A", "purchase", after, "5"),
        (9, "A", "purchase", after, "6"),
    ]
    return Interactions.from_rows(rows)


@pytest.mark.smoke
def test_protocol_excludes_what_was_bought_before_the_cut() -> None:
    split = protocol.make_split(history(), CUT)
    assert split.data.user_ids.tolist() == [1, 2, 3]
    rows, relevant, counts = split.targets(repeat=False)
    # customer 2 bought nothing new: left out; customer 1: C and NEW (NEW unrankable but counted)
    assert split.data.user_ids[rows].tolist() == [1]
    assert relevant == [{"C"}] and counts == [2]
    rows, relevant, counts = split.targets(repeat=True)
    assert split.data.user_ids[rows].tolist() == [1, 2]
    assert relevant == [{"B", "C"}, {"A"}] and counts == [3, 1]


@pytest.mark.smoke
def test_protocol_scores_a_known_ranking() -> None:
    split = protocol.make_split(history(), CUT)
    order = {"D": 4.0, "C": 3.0, "B": 2.0, "A": 1.0}
    fixed = np.array([[order[i] for i in split.data.item_ids]])

    def scorer(rows: np.ndarray) -> np.ndarray:
        return np.repeat(fixed, len(rows), axis=0)

    new = protocol.evaluate(scorer, split, repeat=False)
    # customer 1, A and B excluded: ranking D, C → C at rank 2; 2 relevant (C, NEW)
    assert new.count == 1
    assert new.ndcg == pytest.approx((1 / np.log2(3)) / (1 + 1 / np.log2(3)))
    assert new.recall == pytest.approx(1 / 2)
    assert new.hit_rate == 1.0
    repeat = protocol.evaluate(scorer, split, repeat=True)
    # customer 1: D, C, B, A → hits at 2 and 3 of 3 relevant; customer 2: A at rank 4 of 1 relevant
    one = (1 / np.log2(3) + 1 / np.log2(4)) / (1 + 1 / np.log2(3) + 1 / np.log2(4))
    two = 1 / np.log2(5)
    assert repeat.ndcg == pytest.approx((one + two) / 2)
    assert repeat.recall == pytest.approx((2 / 3 + 1) / 2)


@pytest.mark.smoke
def test_loader_keeps_only_real_purchases() -> None:
    events = retail.load_interactions(FIXTURE)
    lines = retail.read_lines(FIXTURE)
    assert len(lines) == 4363
    assert 0 < len(events) < len(lines)
    assert not any(str(b).startswith("C") for b in events.baskets.tolist())
    assert all(str(i)[:5].isdigit() for i in events.items.tolist())
    assert len(set(events.users.tolist())) == 40  # the guest lines are gone


def test_evaluate_command_on_a_slice_of_the_data_set() -> None:
    out = StringIO()
    call_command("evaluate_recommendations", "--data", str(FIXTURE), "--threads", "1", stdout=out)
    text = out.getvalue()
    for name in ("most-popular", "item-kNN", "EASE", "ALS", "production blend"):
        assert text.count(name) >= 2, name  # once per table
    assert "New items only" in text and "Repeat purchases allowed" in text
    assert "NDCG@10" in text and "HitRate@10" in text
    assert "Frequently bought together" in text
    assert "32 customers in both periods" in text


@pytest.mark.smoke
def test_evaluate_command_without_the_data_set_says_so(tmp_path: Path) -> None:
    out = StringIO()
    call_command("evaluate_recommendations", "--data", str(tmp_path / "nothing"), stdout=out)
    assert "No UCI Online Retail data set" in out.getvalue()
