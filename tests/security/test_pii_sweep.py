"""A staff role without accounts.view_pii never sees A's phone numbers, e-mail addresses or address
lines unmasked: not in any back-office page (lists, searches, change and history pages of every
model), not in any admin action's download (CSV exports), not in the staff API."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory

from tests.security.backoffice import model_admin_urls
from tests.security.world import UNMASKED
from zizhu.accounts.roles import ROLES

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

ROWS_PER_MODEL = 3
SEARCHES = ("139", "alice", "梧桐", "example.com")


def _roles_without_pii() -> list[str]:
    return [r for r in ROLES if not Group.objects.filter(name=r, permissions__codename="view_pii").exists()]


def _text(response) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode("utf-8", errors="replace")


def _leaks(text: str) -> list[str]:
    return [value for value in UNMASKED if value in text]


def _pages(member) -> list[str]:
    """Every back-office page this member may open, with real rows (several per model) and searches."""
    urls = []
    for entry in model_admin_urls():
        if entry.kind == "changelist" and any(member.has_perm(p) for p in entry.needs("GET")):
            urls.append(entry.url)
            urls += [f"{entry.url}?q={term}" for term in SEARCHES]
            rows = entry.model._default_manager.order_by("-pk").values_list("pk", flat=True)[:ROWS_PER_MODEL]
            urls += [f"{entry.url}{pk}/change/" for pk in rows] + [f"{entry.url}{pk}/history/" for pk in rows]
    return urls


def _exports(staff: Client, member) -> list[tuple[str, str]]:
    """Run every admin action the member has (except deleting) on every row; keep what they download."""
    request = RequestFactory().get("/backoffice/")
    request.user = member
    found = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_or_change_permission(request):
            continue
        changelist = f"/backoffice/{model._meta.app_label}/{model._meta.model_name}/"
        pks = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)[:50]]
        for action in model_admin.get_actions(request):
            if action == "delete_selected" or not pks:
                continue
            response = staff.post(changelist, {"action": action, "_selected_action": pks, "index": 0})
            kind = response.get("Content-Type", "").split(";")[0]
            found.append((f"{changelist} action {action} ({kind})", _text(response)))
    return found


def test_the_world_has_the_personal_data_to_look_for(alice_world, make_staff):
    """The crawl would prove nothing if the data were never shown: a role with view_pii sees it."""
    service = make_staff("customer_service", email="cs.sweep@example.com")
    staff = Client()
    staff.force_login(service)
    text = _text(staff.get(f"/backoffice/accounts/user/{alice_world.alice.pk}/change/"))
    assert "13912345678" in text and "alice.private@example.com" in text
    assert _roles_without_pii(), "every role has view_pii: nothing to sweep"


@pytest.mark.parametrize("role", [r for r in ROLES if r != "customer_service"])
def test_roles_without_view_pii_never_see_it_unmasked(alice_world, make_staff, role):
    if role not in _roles_without_pii():
        pytest.skip(f"{role} has accounts.view_pii")
    member = make_staff(role, email=f"{role}.pii@staff.example.com")
    staff = Client()
    staff.force_login(member)
    seen = []
    for url in _pages(member):
        response = staff.get(url)
        assert response.status_code in (200, 302), (role, url, response.status_code)
        leaks = _leaks(_text(response))
        assert not leaks, f"{role} sees {leaks} unmasked on {url}"
        seen.append(url)
    exports = _exports(staff, member)
    for label, text in exports:
        assert not _leaks(text), f"{role} gets {_leaks(text)} unmasked from {label}"
    if member.has_perm("accounts.view_user"):  # the people export really ran, and shows A masked
        [csv] = [text for label, text in exports if "accounts/user/ action export_csv (text/csv)" in label]
        assert "139****5678" in csv and "a***@example.com" in csv
    for url in ("/api/v1/staff/users", f"/api/v1/staff/users/{alice_world.alice.pk}", "/api/v1/staff/users?q=139"):
        response = staff.get(url)
        assert not _leaks(_text(response)), f"{role} gets {_leaks(_text(response))} unmasked from {url}"
    assert seen, f"{role} opened no page at all"
