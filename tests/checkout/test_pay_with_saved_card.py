"""The review step pays with a saved card: my orders → buy again → "Confirm order and pay" ends paid
(three clicks), the last used card preselected; without a choice (or for a guest) the pay page follows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.checkout.test_buy_again import past_order
from tests.payments.saved import saved_card
from zizhu.core import events
from zizhu.orders.models import Order
from zizhu.payments.models import PasswordFreePayment, Payment

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_buy_again_then_confirm_pays_with_the_preselected_saved_card(client, customer, tee_m):
    """With 小额免密支付 on (the limit covers the order), "Confirm order and pay" ends paid."""
    PasswordFreePayment.objects.create(customer=customer, enabled=True, limit=Decimal("1000.00"))
    order = past_order(customer, (tee_m, 2))
    card = saved_card(customer)
    expired = saved_card(customer, exp_year=2020, last4="1111")
    client.force_login(customer)
    client.post(f"/checkout/again/{order.number}/")
    review = client.get("/checkout/review/").content.decode()
    assert f'name="pay_with" value="saved:{card.pk}" checked' in review and "Visa ···4242" in review
    assert f"saved:{expired.pk}" not in review  # expired cards are not offered
    assert "小额免密已开启，¥1,000.00 以内直接支付" in review
    done = client.post("/checkout/place/", {"key": "again-1", "pay_with": f"saved:{card.pk}"})
    again = Order.objects.exclude(pk=order.pk).get()
    assert done.status_code == 302 and done["Location"] == f"/pay/{again.payment_number}/result/"
    payment = Payment.objects.get(number=again.payment_number)
    assert payment.status == Payment.Status.SUCCEEDED and payment.card_last4 == "4242"
    events.dispatch_pending()  # the outbox: payment.succeeded → the order is paid
    again.refresh_from_db()
    assert again.status == Order.Status.PAID


def test_by_default_confirm_asks_for_the_code_then_pays_with_the_saved_card(client, customer, tee_m):
    from django.core import mail

    from tests.payments.risk.helpers import code_from_mail

    order = past_order(customer, (tee_m, 1))
    card = saved_card(customer)
    client.force_login(customer)
    client.post(f"/checkout/again/{order.number}/")
    review = client.get("/checkout/review/").content.decode()
    assert "使用已保存的卡时，扣款前需要输入验证码。" in review
    done = client.post("/checkout/place/", {"key": "again-4", "pay_with": f"saved:{card.pk}"})
    again = Order.objects.exclude(pk=order.pk).get()
    verify = f"/pay/{again.payment_number}/verify/?method=saved:{card.pk}"
    assert done.status_code == 302 and done["Location"] == verify
    payment = Payment.objects.get(number=again.payment_number)
    assert payment.provider_intent_id is None  # nothing sent to the gateway before the code
    client.post(verify, {"action": "send", "method": f"saved:{card.pk}"})
    paid = client.post(verify, {"action": "confirm", "method": f"saved:{card.pk}", "code": code_from_mail(mail.outbox)})
    assert paid["Location"] == f"/pay/{again.payment_number}/result/"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.risk.factor == "passed"


def test_another_way_to_pay_goes_to_the_pay_page(client, customer, tee_m):
    order = past_order(customer, (tee_m, 1))
    saved_card(customer)
    client.force_login(customer)
    client.post(f"/checkout/again/{order.number}/")
    done = client.post("/checkout/place/", {"key": "again-2", "pay_with": ""})
    again = Order.objects.exclude(pk=order.pk).get()
    assert done["Location"] == f"/pay/{again.payment_number}/"
    assert Payment.objects.get(number=again.payment_number).status == Payment.Status.CREATED


def test_another_customers_card_at_the_review_step_charges_nothing(client, customer, other_customer, tee_m):
    order = past_order(customer, (tee_m, 1))
    theirs = saved_card(other_customer)
    client.force_login(customer)
    client.post(f"/checkout/again/{order.number}/")
    done = client.post("/checkout/place/", {"key": "again-3", "pay_with": f"saved:{theirs.pk}"}, follow=True)
    again = Order.objects.exclude(pk=order.pk).get()
    assert done.status_code == 200 and "message-error" in done.content.decode()
    assert Payment.objects.get(number=again.payment_number).provider_intent_id is None
