"""Every back-office URL (enumerated from the URL conf) as a customer: sent to sign in, 403 or 404,
never a page. As staff without the PII permission: no page shows a customer's full contact details."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

BACKOFFICE = "backoffice/"


def _fill(route: str, object_id: int) -> str:
    """A concrete path for a pattern: object ids become a real id, other parameters a plausible value."""
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"\(\?P<app_label>([a-z_]+)[^)]*\)", r"\1", route)  # app_list: the first app
    route = re.sub(r"\(\?P<url>\.\*\)", "no-such-page/", route)  # the catch-all
    route = re.sub(r"<(?:path:|int:)?object_id>", str(object_id), route)
    route = re.sub(r"<int:[a-z_]+>", str(object_id), route)
    route = re.sub(r"<(?:str:|slug:|path:)?[a-z_]+>", "x", route)
    return route


def backoffice_urls(object_id: int) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = _fill(str(pattern.pattern), object_id)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern):
                found.append((pattern.name or "", "/" + prefix + route))

    root = next(p for p in get_resolver().url_patterns if str(p.pattern) == BACKOFFICE)
    walk(root.url_patterns, BACKOFFICE)
    return found


def test_the_enumeration_covers_the_back_office(customer):
    names = {name for name, _url in backoffice_urls(customer.pk)}
    assert {"index", "accounts_user_changelist", "accounts_user_change", "accounts_user_roles"} <= names
    assert {"accounts_auditrecord_changelist", "core_outboxevent_changelist", "catalog_product_change"} <= names
    assert len(names) > 50


def test_every_back_office_url_refuses_a_customer(client, customer):
    client.force_login(customer)
    for name, url in backoffice_urls(customer.pk):
        if name in {"login", "logout"}:  # the sign-in form itself; signing out only ends one's own session
            continue
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (302, 403, 404, 405), (name, url, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith("/backoffice/login/"), (name, url, response["Location"])


def test_no_back_office_page_shows_full_contact_details_to_staff_without_view_pii(client, make_staff, phone_customer):
    finance = make_staff("finance", "merchandiser", "warehouse", email="many-hats@example.com")
    client.force_login(finance)
    seen = 0
    for name, url in backoffice_urls(phone_customer.pk):
        if name in {"logout"}:
            continue
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith(("text/", "application/json")):
            continue
        seen += 1
        body = response.content.decode()
        assert "13800138000" not in body and "carol@example.com" not in body, (name, url)
    assert seen > 10
