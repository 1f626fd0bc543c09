"""Timely suggestions: the usual hour of the week learned from activity, at most one digest a week,
in the inbox, by e-mail only when asked, none when turned off."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.core import mail

from tests.recommendations.shop_fixtures import bought
from zizhu.catalog.models import BehaviourEvent, Product
from zizhu.notifications import services as notifications
from zizhu.notifications.models import InboxMessage
from zizhu.recommendations import digests, services
from zizhu.recommendations.models import DigestSchedule

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]
SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY_20 = datetime(2026, 11, 20, 20, 5, tzinfo=SHANGHAI)  # a Friday
TUESDAY_20 = datetime(2026, 11, 17, 20, 5, tzinfo=SHANGHAI)


def active_on_friday_evenings(user, product, weeks: int = 4) -> None:
    """Views on Friday evenings (19:40–20:50 Shanghai) over the last weeks; one stray Tuesday morning."""
    for week in range(1, weeks + 1):
        for minutes in (-25, 10, 45):
            BehaviourEvent.objects.create(
                user=user,
                product=product,
                event_type="view",
                occurred_at=FRIDAY_20 - timedelta(weeks=week) + timedelta(minutes=minutes),
            )
    BehaviourEvent.objects.create(
        user=user, product=product, event_type="view", occurred_at=TUESDAY_20 - timedelta(hours=11)
    )


def test_usual_hour_is_the_busiest_smoothed_hour() -> None:
    counts = np.zeros(168)
    assert digests.usual_hour(counts) is None
    counts[4 * 24 + 19] = 3  # Friday 19:00
    counts[4 * 24 + 20] = 3  # Friday 20:00
    counts[4 * 24 + 21] = 1
    counts[2] = 4  # a burst one Monday night
    assert digests.usual_hour(counts) == 4 * 24 + 20
    assert digests.hour_of_week(FRIDAY_20, "Asia/Shanghai") == 4 * 24 + 20
    assert digests.hour_of_week(FRIDAY_20.astimezone(ZoneInfo("UTC")), "Asia/Shanghai") == 116


@pytest.fixture
def friday_customer(shop, history):
    active_on_friday_evenings(history, shop["A"])
    services.train_recommendations()
    return history


def test_friday_evening_customer_gets_the_digest_on_friday_not_tuesday(friday_customer, shop) -> None:
    assert services.send_digests(now=TUESDAY_20) == 0
    assert services.send_digests(now=FRIDAY_20) == 1
    schedule = DigestSchedule.objects.get(customer=friday_customer)
    assert schedule.usual_hour == 4 * 24 + 20 and schedule.time_zone == "Asia/Shanghai"
    message = InboxMessage.objects.get(customer=friday_customer)
    assert message.kind == "digest" and shop["C"].name_zh in message.body
    assert "因为您买过" in message.body  # the reasons travel with the picks
    assert mail.outbox == []  # not opted in to e-mail


def test_never_two_digests_within_a_week(friday_customer) -> None:
    assert services.send_digests(now=FRIDAY_20) == 1
    assert services.send_digests(now=FRIDAY_20 + timedelta(minutes=50)) == 0  # a second run in the hour
    services.learn_activity_hours(now=FRIDAY_20 + timedelta(days=1))  # relearning keeps the last digest
    assert DigestSchedule.objects.get(customer=friday_customer).last_digest_at == FRIDAY_20
    assert services.send_digests(now=FRIDAY_20 + timedelta(days=6, hours=23)) == 0  # still within the week
    assert InboxMessage.objects.filter(customer=friday_customer).count() == 1


def test_a_run_that_drifted_into_the_next_hour_still_sends(friday_customer) -> None:
    assert services.send_digests(now=FRIDAY_20 + timedelta(minutes=58)) == 1  # 21:03


def test_opted_out_customers_get_none(friday_customer) -> None:
    notifications.update_settings(customer=friday_customer, digests=False, digest_email=False)
    assert services.send_digests(now=FRIDAY_20) == 0
    assert not InboxMessage.objects.exists()


def test_email_only_when_opted_in(friday_customer, django_capture_on_commit_callbacks) -> None:
    friday_customer.anti_phishing_phrase = "red lantern"
    friday_customer.save()
    notifications.update_settings(customer=friday_customer, digests=True, digest_email=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests(now=FRIDAY_20) == 1
    assert len(mail.outbox) == 1
    assert "red lantern" in mail.outbox[0].body
    assert mail.outbox[0].to == [friday_customer.email]


def test_nothing_new_means_no_digest(friday_customer, shop, make_user) -> None:
    assert services.send_digests(now=FRIDAY_20) == 1
    # a week later the same picks are no news: no digest, and the week is not used up
    assert services.send_digests(now=FRIDAY_20 + timedelta(days=7)) == 0
    first = set(DigestSchedule.objects.get(customer=friday_customer).last_digest_products)
    shop["F"] = Product.objects.create(
        slug="p-f", category=shop["A"].category, name_zh="商品F", name_en="Item F", price=Decimal("5.00")
    )
    for n in range(4):
        bought(make_user(f"f{n}@example.com"), shop, "A", "B", "F", order=f"f{n}", days_ago=1)
    services.train_recommendations()  # F is new to this customer
    assert services.send_digests(now=FRIDAY_20 + timedelta(days=7)) == 1
    second = InboxMessage.objects.filter(customer=friday_customer).order_by("-created_at", "-id").first()
    assert "商品F" in second.body
    assert shop["F"].pk not in first


def test_customers_without_enough_activity_get_none(shop, make_user) -> None:
    quiet = make_user("quiet@example.com")
    BehaviourEvent.objects.create(
        user=quiet, product=shop["A"], event_type="view", occurred_at=FRIDAY_20 - timedelta(days=7)
    )
    services.train_recommendations()
    for hours in range(0, 168, 1):
        services.send_digests(now=FRIDAY_20 + timedelta(hours=hours), relearn_after=timedelta(days=30))
    assert not InboxMessage.objects.exists()
    assert DigestSchedule.objects.get(customer=quiet).usual_hour is None


def test_the_hourly_job_is_registered_for_both_schedulers(settings, friday_customer) -> None:
    from django.utils.module_loading import import_string

    jobs = dict(settings.ZIZHU_PERIODIC_JOBS)
    assert jobs["zizhu.recommendations.tasks.send_digests"] == 3600
    assert import_string("zizhu.recommendations.tasks.send_digests")() in (0, 1)  # runs at the real time
