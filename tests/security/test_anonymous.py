"""A visitor who is not signed in, with A's ids on every parameterised page and API route: sent to
sign in, or 401/403/404 — never A's page, and nothing of A's changes."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.security.test_other_customers_ids import (
    API_BODIES,
    API_PREFIX,
    API_RULES,
    METHODS,
    POST_DATA,
    RULES,
    _fill,
    api_routes,
    page_routes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_anonymous_visitors_with_a_customers_ids_get_nothing(alice_world):
    anonymous = Client()
    before = alice_world.fingerprint()
    for name, route, _params in page_routes():
        if name not in RULES:
            continue
        url = _fill(route, RULES[name](alice_world))
        for method in METHODS:
            response = getattr(anonymous, method)(url, POST_DATA.get(name, {}) if method == "post" else None)
            location = response.get("Location", "")
            assert response.status_code in (404, 405) or location.startswith("/accounts/signin/"), (
                f"{method.upper()} {url} ({name}) answered {response.status_code} {location} to an anonymous visitor"
            )
    for path, methods in api_routes().items():
        if path not in API_RULES:
            continue
        url = API_PREFIX + path.format(**API_RULES[path](alice_world))
        for method in methods:
            body = API_BODIES.get((path, method))
            response = getattr(anonymous, method)(
                url, json.dumps(body) if body is not None else None, content_type="application/json"
            )
            assert response.status_code in (401, 403, 404), (
                f"{method.upper()} {url} answered {response.status_code} to an anonymous visitor"
            )
    assert alice_world.fingerprint() == before
