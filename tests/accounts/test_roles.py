"""Staff roles: created by the migration, least privilege, enforced in services and selectors."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from zizhu.accounts import audit, selectors, services
from zizhu.accounts.models import AuditRecord
from zizhu.accounts.roles import ROLES, declared_permissions, require_permission, sync_roles
from zizhu.core.errors import InvalidInput, NotFound, PermissionDenied

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def _perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_the_migration_created_every_role_with_exactly_its_declared_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    existing = {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")}
    for role in ROLES:
        assert _perms(role) == declared_permissions()[role] & existing, role
        assert _perms(role), role


def test_least_privilege():
    every = {role: _perms(role) for role in ROLES}
    # only the admin role manages staff and reads the audit log; nobody edits groups or permissions
    for role, perms in every.items():
        assert not any(p.startswith("auth.") for p in perms), role
        if role != "admin":
            assert not perms & {"accounts.change_roles", "accounts.view_auditrecord", "accounts.change_user"}, role
    # personal data: customer service (talks to customers) and admin only
    assert {role for role, perms in every.items() if "accounts.view_pii" in perms} == {"customer_service", "admin"}
    # nobody but merchandisers and admins changes the catalogue; nobody deletes people
    assert {role for role, perms in every.items() if "catalog.change_product" in perms} == {"merchandiser", "admin"}
    assert not any("accounts.delete_user" in perms for perms in every.values())
    assert every["warehouse"] == {
        *("catalog.view_product", "catalog.view_variant", "catalog.view_configuredsku"),
        *("inventory.view_warehouse", "inventory.view_stock", "inventory.view_stockmovement"),
        *("orders.view_order", "orders.fulfil_order"),  # moves orders on; no refunds, no cancelling
    }
    # money goes back only through finance; orders are cancelled for customers by customer service
    assert {role for role, perms in every.items() if "payments.add_refund" in perms} == {"finance"}
    assert {role for role, perms in every.items() if "orders.cancel_order" in perms} == {"customer_service", "admin"}
    assert {role for role, perms in every.items() if "checkout.change_voucher" in perms} == {"merchandiser", "admin"}
    assert not any(p.startswith(("accounts.", "core.")) for p in every["merchandiser"])


def test_sync_is_idempotent_and_undoes_hand_made_grants():
    group = Group.objects.get(name="warehouse")
    group.permissions.add(Permission.objects.get(codename="view_pii"))
    sync_roles()
    sync_roles()
    assert "accounts.view_pii" not in _perms("warehouse")


def test_require_permission(make_staff, customer):
    service = make_staff("customer_service")
    require_permission(service, "accounts.view_user", "accounts.view_pii")
    with pytest.raises(PermissionDenied):
        require_permission(service, "accounts.change_roles")
    with pytest.raises(PermissionDenied):
        require_permission(customer, "accounts.view_user")  # not staff
    customer.is_staff = False
    customer.user_permissions.add(Permission.objects.get(codename="view_user"))
    with pytest.raises(PermissionDenied):  # a permission without staff status gives nothing
        require_permission(customer, "accounts.view_user")


def test_selectors_enforce_permissions(warehouse_staff, service_staff, customer):
    with pytest.raises(PermissionDenied):
        selectors.users_for_staff(viewer=warehouse_staff)
    with pytest.raises(PermissionDenied):
        selectors.user_for_staff(viewer=customer, user_id=customer.pk)
    with pytest.raises(PermissionDenied):
        selectors.audit_records(viewer=service_staff)
    assert customer in selectors.users_for_staff(viewer=service_staff)


def test_changing_roles_is_audited_once_and_grants_staff_status(admin_staff, customer):
    member = services.set_staff_roles(actor=admin_staff, member_id=customer.pk, roles=["warehouse", "finance"])
    assert member.is_staff
    assert sorted(member.groups.values_list("name", flat=True)) == ["finance", "warehouse"]
    records = AuditRecord.objects.filter(action=audit.ROLES_CHANGE)
    assert [(r.actor_id, r.target_type, r.target_id, r.summary) for r in records] == [
        (admin_staff.pk, "accounts.user", str(customer.pk), "- → finance, warehouse")
    ]
    services.set_staff_roles(actor=admin_staff, member_id=customer.pk, roles=["finance", "warehouse"])  # no change
    assert records.all().count() == 1
    member = services.set_staff_roles(actor=admin_staff, member_id=customer.pk, roles=[])
    assert not member.is_staff and records.all().count() == 2


def test_role_changes_are_refused_without_permission_for_oneself_and_for_unknown_roles(
    admin_staff, service_staff, customer
):
    with pytest.raises(PermissionDenied):
        services.set_staff_roles(actor=service_staff, member_id=customer.pk, roles=["admin"])
    with pytest.raises(PermissionDenied):
        services.set_staff_roles(actor=admin_staff, member_id=admin_staff.pk, roles=[])
    with pytest.raises(InvalidInput):
        services.set_staff_roles(actor=admin_staff, member_id=customer.pk, roles=["superuser"])
    with pytest.raises(NotFound):
        services.set_staff_roles(actor=admin_staff, member_id=10**9, roles=["warehouse"])
    assert not AuditRecord.objects.filter(action=audit.ROLES_CHANGE).exists()
    customer.refresh_from_db()
    assert not customer.is_staff and not customer.groups.exists()


def test_only_a_superuser_changes_a_superusers_roles(admin_staff, make_user):
    root = make_user("root@example.com", is_staff=True, is_superuser=True)
    with pytest.raises(PermissionDenied):
        services.set_staff_roles(actor=admin_staff, member_id=root.pk, roles=[])


def test_demo_has_one_staff_member_per_role():
    from zizhu.accounts import demo
    from zizhu.accounts.models import User

    demo.seed()
    demo.seed()  # idempotent
    for role in ROLES:
        member = User.objects.get(email=demo.role_demo_email(role))
        assert member.is_staff and not member.is_superuser
        assert list(member.groups.values_list("name", flat=True)) == [role]
