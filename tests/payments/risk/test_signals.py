"""Each risk signal with a hand-made history, the score, the decision and the thresholds from settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django.utils.translation import override

from tests.payments.risk.helpers import (
    GUANGDONG_IP,
    OTHER_UA,
    SHANGHAI_IP,
    UA,
    assess_from,
    codes_of,
    past_payment,
)
from zizhu.accounts.models import UserSession
from zizhu.core.money import Money
from zizhu.payments import services
from zizhu.payments.models import Payment, PaymentEvent
from zizhu.payments.risk import context, scoring
from zizhu.payments.risk.context import RequestInfo
from zizhu.payments.risk.models import RiskAssessment

pytestmark = pytest.mark.django_db


def new_payment(customer=None, amount: str = "120.00", reference: str = "O1234567890123452") -> Payment:
    return services.create_payment(reference=reference, amount=Money.of(amount), customer=customer)


@pytest.fixture
def fixed_context():
    """A registered context for references "T…" (what the orders app does for "O…")."""
    holder: dict[str, context.PaymentContext] = {"ctx": context.PaymentContext()}
    context.register("T", lambda reference, customer: holder["ctx"])
    yield holder
    context._providers.pop("T", None)


@pytest.mark.smoke
def test_a_quiet_payment_scores_zero_and_is_allowed(customer):
    past_payment(customer, "100.00", device=RequestInfo(ip="10.0.0.5", user_agent=UA))
    assessment = assess_from(new_payment(customer, "120.00"))
    assert assessment.score == 0 and assessment.signals == []
    assert assessment.decision == RiskAssessment.Decision.ALLOW
    assert assessment.factor == RiskAssessment.Factor.NOT_NEEDED


def test_new_device_fires_only_for_a_device_that_never_paid(customer):
    known = RequestInfo(ip="10.0.0.5", user_agent=UA)
    past_payment(customer, "100.00", device=known)
    assert "new_device" not in codes_of(assess_from(new_payment(customer), ua=UA))
    fresh = assess_from(new_payment(customer), ua=OTHER_UA)
    assert "new_device" in codes_of(fresh)
    assert fresh.score == scoring.DEFAULT_WEIGHTS["new_device"]


def test_new_device_is_silent_without_history(customer):
    assert "new_device" not in codes_of(assess_from(new_payment(customer)))


def test_velocity_counts_attempts_in_ten_minutes_and_in_an_hour(customer, other_customer):
    for minutes in (1, 3):
        past_payment(customer, status=Payment.Status.CREATED, ago=timedelta(minutes=minutes))
    past_payment(other_customer, status=Payment.Status.CREATED, ago=timedelta(minutes=2))  # someone else's
    assert "velocity" not in codes_of(assess_from(new_payment(customer)))  # 3 others now: the next one fires

    for minutes in (4,):
        past_payment(customer, status=Payment.Status.CREATED, ago=timedelta(minutes=minutes))
    assessment = assess_from(new_payment(customer))
    [signal] = [s for s in assessment.signals if s["code"] == "velocity"]
    assert signal["params"] == {"count": 4, "minutes": 10}


def test_velocity_over_an_hour(customer):
    for minutes in (15, 20, 25, 30, 40, 50):
        past_payment(customer, status=Payment.Status.FAILED, ago=timedelta(minutes=minutes))
    signal = next(s for s in assess_from(new_payment(customer)).signals if s["code"] == "velocity")
    assert signal["params"] == {"count": 6, "minutes": 60}


def test_recent_failures(customer):
    past_payment(customer, status=Payment.Status.FAILED, ago=timedelta(hours=30))  # too old
    past_payment(customer, status=Payment.Status.FAILED, ago=timedelta(hours=5))
    assert "recent_failures" not in codes_of(assess_from(new_payment(customer)))
    past_payment(customer, status=Payment.Status.FAILED, ago=timedelta(hours=2))
    signal = next(s for s in assess_from(new_payment(customer)).signals if s["code"] == "recent_failures")
    assert signal["params"] == {"count": 2}


def test_amount_far_above_the_customers_median(customer):
    for amount in ("80.00", "100.00", "120.00"):
        past_payment(customer, amount)
    past_payment(customer, "9000.00", status=Payment.Status.FAILED)  # not paid: not history
    assert "amount" not in codes_of(assess_from(new_payment(customer, "300.00")))  # exactly 3 × 100
    signal = next(s for s in assess_from(new_payment(customer, "450.00")).signals if s["code"] == "amount")
    assert signal["params"] == {"kind": "history", "amount": "450.00", "median": "100.00", "ratio": "4.5"}


def test_first_payment_above_the_cap(customer):
    assert "amount" not in codes_of(assess_from(new_payment(customer, "2000.00")))
    signal = next(s for s in assess_from(new_payment(None, "2500.00")).signals if s["code"] == "amount")
    assert signal["params"] == {"kind": "first", "amount": "2500.00", "cap": "2000.00"}


def test_new_delivery_address(customer, fixed_context):
    home = context.address_fingerprint("上海市", "上海市", "浦东新区", "世纪大道 100 号")
    office = context.address_fingerprint("上海市", "上海市", "黄浦区", "南京东路 1 号")
    fixed_context["ctx"] = context.PaymentContext(province="上海市", address_key=home, known_address_keys=frozenset())
    assert "new_address" not in codes_of(assess_from(new_payment(customer, reference="T1")))  # no paid history
    fixed_context["ctx"] = context.PaymentContext(
        province="上海市", address_key=home, known_address_keys=frozenset({home})
    )
    assert "new_address" not in codes_of(assess_from(new_payment(customer, reference="T2")))
    # The same address typed with other spaces is the same address.
    assert context.address_fingerprint("上海市", "上海市", "浦东新区", "世纪大道100号") == home
    fixed_context["ctx"] = context.PaymentContext(
        province="上海市", address_key=office, known_address_keys=frozenset({home})
    )
    assert "new_address" in codes_of(assess_from(new_payment(customer, reference="T3")))


def test_region_mismatch_from_the_offline_table(customer, fixed_context):
    fixed_context["ctx"] = context.PaymentContext(province="上海市")
    assert "region_mismatch" not in codes_of(assess_from(new_payment(customer, reference="T1"), ip=SHANGHAI_IP))
    assert "region_mismatch" not in codes_of(assess_from(new_payment(customer, reference="T2"), ip="127.0.0.1"))
    far = assess_from(new_payment(customer, reference="T3"), ip=GUANGDONG_IP)
    signal = next(s for s in far.signals if s["code"] == "region_mismatch")
    assert signal["params"] == {"province": "上海市", "ip_province": "广东省"}


@override_settings(ZIZHU_RISK_IP_REGIONS={"121.18.0.0/24": "西藏自治区"})
def test_region_table_takes_more_networks_from_settings(customer, fixed_context):
    fixed_context["ctx"] = context.PaymentContext(province="西藏")
    assert "region_mismatch" not in codes_of(assess_from(new_payment(customer, reference="T1"), ip="121.18.0.9"))
    fixed_context["ctx"] = context.PaymentContext(province="北京市")
    assert "region_mismatch" in codes_of(assess_from(new_payment(customer, reference="T2"), ip="121.18.0.9"))


def test_many_accounts_on_one_device(make_user):
    users = [make_user() for _ in range(3)]
    device = RequestInfo(ip="10.0.0.5", user_agent=UA)
    past_payment(users[0], device=device, ago=timedelta(days=3))
    assert "shared_device" not in codes_of(assess_from(new_payment(users[2])))  # 2 accounts
    # A third account signed in from the same browser on the same network (devices page data).
    now = timezone.now()
    UserSession.objects.create(
        user=users[1],
        key_hash="k" * 64,
        session_key="s1",
        user_agent=UA,
        place="local",
        created_at=now,
        last_seen_at=now,
    )
    signal = next(s for s in assess_from(new_payment(users[2])).signals if s["code"] == "shared_device")
    assert signal["params"] == {"count": 3}


def test_guests_are_tracked_by_device(fixed_context):
    device = RequestInfo(ip="10.0.0.5", user_agent=UA)
    for minutes in (1, 2, 3):
        past_payment(None, status=Payment.Status.FAILED, ago=timedelta(minutes=minutes), device=device)
    guest = assess_from(new_payment(None))
    assert {"velocity", "recent_failures"} <= codes_of(guest)
    assert codes_of(assess_from(new_payment(None), ua=OTHER_UA)) == set()  # another device knows nothing


@pytest.mark.smoke
def test_score_is_the_sum_and_the_decision_follows_the_thresholds(customer):
    for minutes in (1, 2, 3):
        past_payment(customer, status=Payment.Status.FAILED, ago=timedelta(minutes=minutes))
    assessment = assess_from(new_payment(customer, "2500.00"))
    assert codes_of(assessment) == {"velocity", "recent_failures", "amount"}
    assert assessment.score == 30 + 25 + 35
    assert assessment.decision == RiskAssessment.Decision.REVIEW
    assert assessment.factor == RiskAssessment.Factor.PENDING
    assert assessment.review == RiskAssessment.Review.HELD
    timeline = PaymentEvent.objects.get(payment=assessment.payment, kind="risk_assessed")
    assert timeline.data["score"] == 90


def test_thresholds_and_weights_come_from_settings(customer):
    with override_settings(ZIZHU_RISK_CHALLENGE_THRESHOLD=20, ZIZHU_RISK_REVIEW_THRESHOLD=200):
        assert assess_from(new_payment(None, "2500.00")).decision == "challenge"
    with override_settings(ZIZHU_RISK_CHALLENGE_THRESHOLD=50):
        assert assess_from(new_payment(None, "2500.00")).decision == "allow"
    with override_settings(ZIZHU_RISK_WEIGHTS={"amount": 0}, ZIZHU_RISK_CHALLENGE_THRESHOLD=1):
        assessment = assess_from(new_payment(None, "2500.00"))
        assert assessment.signals == [] and assessment.decision == "allow"
    with override_settings(ZIZHU_RISK_WEIGHTS={"amount": 80}):
        assert assess_from(new_payment(None, "2500.00")).decision == "review"
    with override_settings(ZIZHU_RISK_LIMITS={"first_order_cap": "5000.00"}):
        assert "amount" not in codes_of(assess_from(new_payment(None, "2500.00")))


def test_a_payment_is_assessed_once(customer):
    payment = new_payment(None, "2500.00")
    first = assess_from(payment)
    for minutes in (1, 2, 3, 4):
        past_payment(None, status=Payment.Status.FAILED, ago=timedelta(minutes=minutes))
    again = assess_from(payment, ua=OTHER_UA)
    assert again.pk == first.pk and again.score == first.score
    assert RiskAssessment.objects.filter(payment=payment).count() == 1


def test_reasons_are_translated():
    signal = {"code": "velocity", "weight": 30, "params": {"count": 4, "minutes": 10}}
    with override("en"):
        assert scoring.reasons([signal]) == [(30, "4 other payment attempts in the last 10 minutes.")]
    with override("zh-hans"):
        [(_weight, text)] = scoring.reasons([signal])
        assert "4" in text and "10" in text and "attempts" not in text


def test_an_assessment_costs_a_fixed_number_of_queries(customer, fixed_context, django_assert_max_num_queries):
    """However long the history, scoring reads each signal's rows once (the pay step stays cheap)."""
    device = RequestInfo(ip="10.0.0.5", user_agent=UA)
    for day in range(30):
        past_payment(customer, f"{100 + day}.00", device=device, ago=timedelta(days=day + 1))
    for minutes in (1, 2):
        past_payment(customer, status=Payment.Status.FAILED, ago=timedelta(minutes=minutes))
    fixed_context["ctx"] = context.PaymentContext(province="上海市", address_key="a", known_address_keys=frozenset("b"))
    payment = new_payment(customer, "999.00", reference="T9")
    # 7 signals (new device: 2) + the assessment, its timeline line and their savepoint.
    with django_assert_max_num_queries(13):
        assessment = assess_from(payment, ip=GUANGDONG_IP, ua=OTHER_UA)
    assert {"new_device", "amount", "new_address", "region_mismatch", "recent_failures"} <= codes_of(assessment)
