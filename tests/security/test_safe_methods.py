"""A GET (or HEAD) changes nothing: every page route, as the owner with her own ids, leaves her data
as it was — so no state change can be triggered by a link or an <img> on another site (CSRF
protects only POST and the other unsafe methods)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.security.test_csrf_and_sessions import _all_page_routes, _page_values
from tests.security.test_other_customers_ids import _fill

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

# GETs that change part of the owner's data on purpose: route → (the parts, the reason).
CHANGING_GETS: dict[str, tuple[set[str], str]] = {
    "payments:wallet": ({"payments", "intents"}, "the wallet page starts the wallet payment its QR code shows"),
    "catalog:product": ({"history"}, "viewing a product is recorded in the customer's browsing history"),
}
# Routes not tried: they end the session the sweep runs in, or serve files.
NOT_TRIED = {"accounts:signout", ":serve"}


def test_no_get_changes_the_owners_data(alice_world):
    alice = Client()
    alice.force_login(alice_world.alice)
    tried = 0
    for name, route in _all_page_routes():
        if name in NOT_TRIED:
            continue
        url = _fill(route, _page_values(alice_world, name))
        before = alice_world.fingerprint()
        for method in (alice.get, alice.head):
            assert method(url).status_code < 500, url
        after = alice_world.fingerprint()
        expected = CHANGING_GETS.get(name, (set(), ""))[0]
        changed = [key for key in before if before[key] != after[key] and key not in expected]
        assert not changed, f"GET {url} ({name}) changed {changed}"
        tried += 1
    assert tried > 30
