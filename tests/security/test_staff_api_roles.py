"""The staff API (every path under /api/v1/staff/, from the OpenAPI document) for each role without
the permission → 403 with the API's JSON error, and nothing changes. A new staff path without a
permission rule here fails by name."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.security.test_other_customers_ids import API_PREFIX, openapi_paths
from zizhu.accounts.roles import ROLES

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

# (path, method) → (the permission it needs, a valid body)
STAFF_API: dict[tuple[str, str], tuple[str, dict | None]] = {
    ("/staff/users", "get"): ("accounts.view_user", None),
    ("/staff/users/{user_id}", "get"): ("accounts.view_user", None),
    ("/staff/users/{user_id}/roles", "put"): ("accounts.change_roles", {"roles": ["admin"]}),
}


def staff_operations() -> list[tuple[str, str]]:
    paths = openapi_paths()
    return [
        (path.removeprefix(API_PREFIX), method)
        for path, item in paths.items()
        if path.startswith(API_PREFIX + "/staff/")
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_every_staff_api_operation_has_a_permission_rule():
    missing = sorted(set(staff_operations()) - set(STAFF_API))
    assert not missing, f"staff API operations without a rule in STAFF_API ({__file__}): {missing}"


@pytest.mark.parametrize("role", [*ROLES, "no role"])
def test_each_role_is_refused_the_staff_api_it_may_not_use(alice_world, make_staff, role):
    member = make_staff(*([role] if role != "no role" else []), email=f"{role.replace(' ', '-')}@api.example.com")
    client = Client()
    client.force_login(member)
    groups_before = sorted(alice_world.alice.groups.values_list("name", flat=True))
    refused = 0
    for path, method in staff_operations():
        permission, body = STAFF_API[(path, method)]
        if member.has_perm(permission):
            continue
        url = API_PREFIX + path.format(user_id=alice_world.alice.pk)
        response = getattr(client, method)(
            url, json.dumps(body) if body is not None else None, content_type="application/json"
        )
        assert response.status_code == 403 and response.json()["code"], (
            f"{method.upper()} {url} as {role!r} without {permission} answered {response.status_code}"
        )
        refused += 1
    assert sorted(alice_world.alice.groups.values_list("name", flat=True)) == groups_before
    assert refused or role == "admin"
