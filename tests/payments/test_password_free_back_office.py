"""Customer service sees a customer's 小额免密 setting and may switch it off (a lost phone, a suspected
fraud): audited, the customer told in the inbox. Staff can never switch it on; other roles see nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from zizhu.accounts.models import AuditRecord
from zizhu.notifications.models import InboxMessage
from zizhu.payments import password_free
from zizhu.payments.models import PasswordFreePayment

pytestmark = pytest.mark.django_db
LIST = "/backoffice/payments/passwordfreepayment/"


def staff(make_user, email: str, role: str):
    user = make_user(email, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def switch_off(client, *settings: PasswordFreePayment):
    return client.post(LIST, {"action": "switch_off", "_selected_action": [s.pk for s in settings]}, follow=True)


def test_customer_service_switches_it_off_audited_and_the_customer_is_told(client, customer, other_customer, make_user):
    on = PasswordFreePayment.objects.create(customer=customer, enabled=True, limit=Decimal("300.00"))
    already_off = PasswordFreePayment.objects.create(customer=other_customer, enabled=False)
    agent = staff(make_user, "cs@example.com", "customer_service")
    client.force_login(agent)
    listing = client.get(LIST)
    assert listing.status_code == 200 and "300.00" in listing.content.decode()

    done = switch_off(client, on, already_off)

    assert done.status_code == 200
    on.refresh_from_db()
    assert on.enabled is False and on.limit == Decimal("300.00")
    record = AuditRecord.objects.get(action=password_free.STAFF_SWITCH_OFF)
    assert record.actor_id == agent.pk and record.target_id == str(customer.pk)
    assert not AuditRecord.objects.filter(action=password_free.STAFF_SWITCH_OFF, target_id=str(other_customer.pk))
    message = InboxMessage.objects.get(customer=customer)
    assert "/pay/cards/" in message.link and not InboxMessage.objects.filter(customer=other_customer).exists()


def test_staff_cannot_switch_it_on_or_change_the_limit(client, customer, make_user):
    setting = PasswordFreePayment.objects.create(customer=customer, enabled=False)
    client.force_login(staff(make_user, "cs@example.com", "customer_service"))
    change = f"{LIST}{setting.pk}/change/"
    assert client.get(change).status_code == 200  # read-only view
    client.post(change, {"enabled": "on", "limit": "1000.00"})
    setting.refresh_from_db()
    assert setting.enabled is False and setting.limit == Decimal("200.00")


def test_roles_without_it_see_nothing_and_cannot_switch_off(client, customer, make_user):
    setting = PasswordFreePayment.objects.create(customer=customer, enabled=True)
    client.force_login(staff(make_user, "wh@example.com", "warehouse"))
    assert client.get(LIST).status_code == 403
    assert switch_off(client, setting).status_code == 403
    client.force_login(staff(make_user, "admin-role@example.com", "admin"))  # may look, not switch off
    assert client.get(LIST).status_code == 200
    switch_off(client, setting)
    setting.refresh_from_db()
    assert setting.enabled is True
    assert not AuditRecord.objects.filter(action=password_free.STAFF_SWITCH_OFF).exists()
