"""The back-office person page: editing keeps the phone encrypted and normalised; staff status,
superuser status and roles cannot be changed through it (only through the audited roles page)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zizhu.accounts import audit
from zizhu.accounts.models import AuditRecord, User

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def _change(client, user, **fields):
    data = {
        "email": user.email or "",
        "phone": "",
        "display_name": user.display_name,
        "language": user.language,
        "is_active": "on",
        **fields,
    }
    return client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)


def test_an_administrator_edits_the_phone_which_stays_encrypted_and_findable(client, admin_staff, customer, password):
    client.force_login(admin_staff)
    response = _change(client, customer, phone="139 0013 9000")
    assert response.status_code == 302, response.content.decode()[:2000]
    customer.refresh_from_db()
    assert customer.phone == "+8613900139000"
    assert User.objects.get(phone="+8613900139000") == customer
    client.logout()
    assert client.post(reverse("accounts:signin"), {"username": "13900139000", "password": password}).status_code == 302


def test_a_number_already_in_use_is_refused_next_to_the_field(client, admin_staff, customer, make_user):
    make_user("x@example.com", phone="+8613900139000")
    client.force_login(admin_staff)
    response = _change(client, customer, phone="13900139000")
    assert response.status_code == 200
    assert "another account already uses this mobile number" in response.content.decode().lower() or (
        "另一个账户已在使用这个手机号" in response.content.decode()
    )


def test_the_change_form_cannot_grant_staff_superuser_or_roles(client, admin_staff, customer):
    from django.contrib.auth.models import Group

    client.force_login(admin_staff)
    response = _change(
        client,
        customer,
        is_staff="on",
        is_superuser="on",
        groups=[str(Group.objects.get(name="admin").pk)],
        user_permissions=["1", "2"],
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert not customer.is_staff and not customer.is_superuser
    assert not customer.groups.exists() and not customer.user_permissions.exists()


def test_roles_page_changes_roles_through_the_audited_service(client, admin_staff, service_staff, customer):
    url = reverse("admin:accounts_user_roles", args=[customer.pk])
    client.force_login(service_staff)
    assert client.get(url).status_code == 403
    client.force_login(admin_staff)
    page = client.get(url)
    assert page.status_code == 200 and 'value="warehouse"' in page.content.decode()
    response = client.post(url, {"roles": ["warehouse"]})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.is_staff and list(customer.groups.values_list("name", flat=True)) == ["warehouse"]
    assert AuditRecord.objects.filter(action=audit.ROLES_CHANGE, target_id=str(customer.pk)).count() == 1
    own = client.post(reverse("admin:accounts_user_roles", args=[admin_staff.pk]), {"roles": []})
    assert own.status_code == 403
    admin_staff.refresh_from_db()
    assert admin_staff.groups.filter(name="admin").exists()


def test_only_a_superuser_edits_another_staff_members_account(client, admin_staff, service_staff, make_user):
    client.force_login(admin_staff)
    password_url = reverse("admin:auth_user_password_change", args=[service_staff.pk])
    for url in (reverse("admin:accounts_user_change", args=[service_staff.pk]), password_url):
        response = client.post(
            url, {"password1": "taken-over-123", "password2": "taken-over-123", "usable_password": "true"}
        )
        assert response.status_code == 403, url
    service_staff.refresh_from_db()
    assert not service_staff.check_password("taken-over-123")
    root = make_user("root@example.com", is_staff=True, is_superuser=True)
    client.force_login(root)
    response = client.post(
        password_url, {"password1": "a-new-pass-1234", "password2": "a-new-pass-1234", "usable_password": "true"}
    )
    assert response.status_code == 302
    assert AuditRecord.objects.filter(action=audit.PASSWORD_SET, target_id=str(service_staff.pk)).count() == 1


def test_role_groups_are_read_only_even_for_a_superuser(client, make_user):
    from django.contrib.auth.models import Group

    root = make_user("root@example.com", is_staff=True, is_superuser=True)
    client.force_login(root)
    warehouse = Group.objects.get(name="warehouse")
    url = reverse("admin:auth_group_change", args=[warehouse.pk])
    assert client.get(url).status_code == 200  # viewable
    declared = warehouse.permissions.count()
    client.post(url, {"name": "warehouse", "permissions": [str(p.pk) for p in warehouse.permissions.all()][:1]})
    assert warehouse.permissions.count() == declared > 1
    assert client.post(reverse("admin:auth_group_delete", args=[warehouse.pk]), {"post": "yes"}).status_code == 403
    assert Group.objects.filter(name="warehouse").exists()
