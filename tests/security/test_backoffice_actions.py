"""Back-office actions (the changelist's "run on the selected rows"): each declares the permission
it needs, and a role without it cannot run it — the rows stay as they were."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory

from zizhu.accounts.roles import ROLES

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def _actions(model_admin, user) -> dict:
    request = RequestFactory().get("/backoffice/")
    request.user = user
    return model_admin.get_actions(request)


def test_every_action_declares_the_permission_it_needs():
    """Django offers an action without ``permissions`` to anyone who may only view the list."""
    undeclared = []
    for model, model_admin in admin.site._registry.items():
        for func, name, _description in model_admin._get_base_actions():
            if not getattr(func, "allowed_permissions", ()):
                undeclared.append(f"{model._meta.label}.{name}")
    assert not undeclared, f"admin actions without @admin.action(permissions=[...]): {undeclared}"


@pytest.mark.parametrize("role", ROLES)
def test_a_role_cannot_run_an_action_it_is_not_offered(alice_world, make_staff, make_user, role):
    member = make_staff(role, email=f"{role}.actions@staff.example.com")
    root = make_user("root.actions@example.com", is_staff=True, is_superuser=True)
    staff = Client()
    staff.force_login(member)
    tried = 0
    for model, model_admin in admin.site._registry.items():
        request = RequestFactory().get("/backoffice/")
        request.user = member
        if not model_admin.has_view_or_change_permission(request):
            continue
        rows = model._default_manager.order_by("pk")
        before = list(rows.values())
        pks = [str(row["id"] if "id" in row else row[model._meta.pk.attname]) for row in before]
        offered = _actions(model_admin, member)
        # Actions it is not offered, and those offered for viewing only (or declaring nothing):
        # none may change a row.
        view_only = {
            name
            for name, (func, _n, _d) in offered.items()
            if set(getattr(func, "allowed_permissions", ()) or ()) <= {"view"}
        }
        for action in (set(_actions(model_admin, root)) - set(offered)) | view_only:
            url = f"/backoffice/{model._meta.app_label}/{model._meta.model_name}/"
            response = staff.post(url, {"action": action, "_selected_action": pks, "index": 0, "post": "yes"})
            tried += 1
            assert response.status_code in (200, 302, 403), (role, url, action, response.status_code)
            assert list(rows.values()) == before, f"{role!r} ran {action} on {model._meta.label} without its permission"
    assert tried
