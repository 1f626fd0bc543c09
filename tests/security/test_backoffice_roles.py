"""Every back-office URL (enumerated from the admin site): anonymous → sent to the back office's
sign-in; a customer → sign-in page, 403 or 404; each staff role without the permission → 403, and
the object is still there."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.security.backoffice import CUSTOM, PREFIX, model_admin_urls, site_urls
from zizhu.accounts.roles import ROLES

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

LOGIN = PREFIX + "login/"


def _everything() -> list[tuple[str, str]]:
    return [(u.name, u.url) for u in model_admin_urls()] + site_urls()


def test_every_custom_back_office_view_has_a_permission_rule(alice_world):
    custom = {u.name for u in model_admin_urls() if u.kind == "custom"}
    missing = custom - set(CUSTOM)
    assert not missing, (
        f"Back-office views without a permission rule in tests/security/backoffice.py CUSTOM: {sorted(missing)}"
    )
    assert len(model_admin_urls()) > 100


def test_anonymous_visitors_are_sent_to_sign_in(alice_world):
    anonymous = Client()
    for name, url in _everything():
        if name in {"login", "logout"}:  # the sign-in form; signing out without a session ends nothing
            continue
        for method in (anonymous.get, anonymous.post):
            response = method(url)
            assert response.status_code == 302 and response["Location"].startswith(LOGIN), (
                f"{method.__name__.upper()} {url} ({name}) answered {response.status_code} to an anonymous visitor"
            )


def test_customers_never_reach_a_back_office_page(alice_world):
    alice = Client()
    alice.force_login(alice_world.alice)
    for name, url in _everything():
        if name in {"login", "logout"}:
            continue
        for method in (alice.get, alice.post):
            response = method(url)
            assert response.status_code in (302, 403, 404), (name, url, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith(LOGIN), (name, url, response["Location"])


@pytest.mark.parametrize("role", [*ROLES, "no role"])
def test_each_role_is_refused_what_it_may_not_do(alice_world, make_staff, role):
    member = make_staff(*([role] if role != "no role" else []), email=f"{role.replace(' ', '-')}@staff.example.com")
    staff = Client()
    staff.force_login(member)
    refused = allowed = 0
    for entry in model_admin_urls():
        for method in ("GET", "POST"):
            needs = entry.needs(method)
            if any(member.has_perm(perm) for perm in needs):
                if method == "GET":  # with the permission: never an error (an admin may still be stricter)
                    response = staff.get(entry.url)
                    assert response.status_code in (200, 302, 403), (role, entry.url, response.status_code)
                    allowed += response.status_code == 200
                continue
            response = staff.generic(method, entry.url)
            refused += 1
            if entry.kind == "history" and not entry.has_object:
                # Django's history view looks the object up before the permission: no row, back to
                # the index (no page shown). With a row, the 403 below applies.
                assert (response.status_code, response.get("Location")) == (302, PREFIX), entry.url
                continue
            assert response.status_code == 403, (
                f"{method} {entry.url} ({entry.name}) as {role!r} without {' or '.join(needs)} answered "
                f"{response.status_code}, not 403"
            )
        if entry.kind == "delete" and entry.has_object:
            assert entry.model._default_manager.filter(pk=entry.url.split("/")[-3]).exists(), entry.url
    assert refused > 50
    if role != "no role":
        assert allowed > 0
