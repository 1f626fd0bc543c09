"""Another customer's ids on every customer-facing page and API route → 404 (403 where documented),
and nothing of the owner's changes.

The routes are enumerated from the URL conf and from the API's OpenAPI document, not listed by
hand: a new route with a parameter and no rule in RULES / API_RULES (or a reason in ALLOWED)
fails the coverage test with its name, so it cannot be forgotten.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

METHODS = ("get", "post", "put", "patch", "delete")
SKIPPED_PREFIXES = ("backoffice/", "api/v1/")  # the back office has its own sweep; the API is enumerated below

# Page routes (namespace:name) → how to build the parameters from A's world.
RULES: dict[str, Callable[[World], dict[str, Any]]] = {
    "accounts:device_sign_out": lambda w: {"device_id": w.device.pk},
    "accounts:revoke_token": lambda w: {"token_id": w.token.pk},
    "accounts:passkey_rename": lambda w: {"passkey_id": w.passkey.pk},
    "accounts:passkey_remove": lambda w: {"passkey_id": w.passkey.pk},
    "cart:change": lambda w: {"line_id": w.cart_line.pk},
    "payments:card_remove": lambda w: {"card_id": w.saved_card.pk},
    "notifications:mark_read": lambda w: {"message_id": w.inbox_message.pk},
    "checkout:buy_again": lambda w: {"number": w.order.number},
    "orders:detail": lambda w: {"number": w.order.number},
    "orders:cancel": lambda w: {"number": w.order.number},
    "orders:receipt_pdf": lambda w: {"number": w.order.number},
    **{
        f"payments:{name}": (lambda w: {"number": w.payment.number})
        for name in ("pay", "start", "wallet", "status", "check", "return", "result", "retry", "verify")
    },
}

# Form data sent with POSTs, so that a view reaches its ownership check rather than stopping at
# validation (a 400 for an empty form would prove nothing).
POST_DATA: dict[str, dict[str, str]] = {
    "cart:change": {"quantity": "5", "action": "remove"},
    "payments:start": {"method": "card"},
    "accounts:passkey_rename": {"name": "taken over"},
}

# Routes whose parameters are not another customer's: public catalogue, capability tokens.
ALLOWED: dict[str, str] = {
    "catalog:product": "public catalogue (product slug)",
    "catalog:configure": "public catalogue (product slug)",
    "catalog:favourite": "product slug is public; toggles the signed-in customer's own favourite",
    "catalog:category": "public catalogue (category slug)",
    "search:category": "public catalogue (category slug)",
    "search:browse": "public catalogue (old category address, redirects)",
    "recommendations:related": "public catalogue (product id): items related to a product",
    "recommendations:size_advice": "product id is public; the advice comes from the signed-in customer's own purchases",
    "recommendations:hide": "product id is public; hides the item for the signed-in customer only",
    "accounts:password_reset_confirm": "Django's signed one-time token; a wrong token shows the expired-link page",
    "sandbox_gateway:pay": "the stand-in payment provider's hosted page; the intent id is a 144-bit random capability",
    "sandbox_gateway:challenge": "the stand-in payment provider's 3-D Secure page; random intent id",
    "sandbox_gateway:wallet": "the stand-in provider's wallet page; random intent id and secret",
    ":serve": "media files (product photos), public by design in the embedded profile",
}

API_PREFIX = "/api/v1"
# API path templates (as in the OpenAPI document) → parameters, and bodies per method.
API_RULES: dict[str, Callable[[World], dict[str, Any]]] = {
    "/auth/tokens/{token_id}": lambda w: {"token_id": w.token.pk},
    "/me/passkeys/{passkey_id}": lambda w: {"passkey_id": w.passkey.pk},
    "/me/favourites/{favourite_id}": lambda w: {"favourite_id": w.favourite.pk},
    "/me/history/{entry_id}": lambda w: {"entry_id": w.history_entry.pk},
    "/payments/{number}": lambda w: {"number": w.payment.number},
    "/payments/{number}/confirm": lambda w: {"number": w.payment.number},
    "/payments/{number}/second-factor/send": lambda w: {"number": w.payment.number},
    "/payments/{number}/second-factor": lambda w: {"number": w.payment.number},
    "/payments/cards/{card_id}": lambda w: {"card_id": w.saved_card.pk},
    "/cart/lines/{line_id}": lambda w: {"line_id": w.cart_line.pk},
    "/me/inbox/{message_id}/read": lambda w: {"message_id": w.inbox_message.pk},
    "/orders/{number}": lambda w: {"number": w.order.number},
    "/orders/{number}/cancel": lambda w: {"number": w.order.number},
    "/checkout/again/{number}": lambda w: {"number": w.order.number},
    "/staff/users/{user_id}": lambda w: {"user_id": w.alice.pk},
    "/staff/users/{user_id}/roles": lambda w: {"user_id": w.alice.pk},
}
API_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("/payments/{number}/confirm", "post"): {"token": "tok_not_a_real_token"},
    ("/payments/{number}/second-factor", "post"): {"code": "123456"},
    ("/cart/lines/{line_id}", "patch"): {"quantity": 5, "confirm": True},
    ("/me/passkeys/{passkey_id}", "patch"): {"name": "taken over"},
    ("/staff/users/{user_id}/roles", "put"): {"roles": ["admin"]},
}
# Documented answers other than 404: the staff API refuses customers outright.
API_FORBIDDEN = {"/staff/users/{user_id}", "/staff/users/{user_id}/roles"}
API_ALLOWED: dict[str, str] = {
    "/catalog/products/{slug}": "public catalogue (product slug)",
    "/catalog/products/{slug}/configure": "public catalogue (product slug)",
    "/recommendations/size-advice/{slug}": "product slug is public; advice from the signed-in customer's purchases",
    "/recommendations/products/{slug}/similar": "public catalogue (product slug)",
    "/recommendations/products/{slug}/bought-together": "public catalogue (product slug)",
}


def page_routes() -> Iterator[tuple[str, str, list[str]]]:
    """(namespace:name, route, parameter names) of every parameterised page route."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str, list[str]]]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith(SKIPPED_PREFIXES):
                    continue
                yield from walk(pattern.url_patterns, route, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                params = re.findall(r"<(?:\w+:)?(\w+)>", route)
                if params:
                    name = pattern.name or getattr(pattern.callback, "__name__", "")
                    yield f"{namespace}:{name}", route, params

    yield from walk(get_resolver().url_patterns, "", "")


@functools.cache
def openapi_paths() -> dict[str, Any]:
    """The API's OpenAPI paths (built once: building the document takes about a second)."""
    from zizhu.config.api import api

    return api.get_openapi_schema()["paths"]


def api_routes() -> dict[str, list[str]]:
    """OpenAPI path template (without /api/v1) → methods, for every path with a parameter."""
    paths = openapi_paths()
    found = {}
    for path, item in paths.items():
        short = path.removeprefix(API_PREFIX)
        if "{" in short:
            found[short] = [method for method in item if method in METHODS]
    return found


def test_every_parameterised_page_route_has_a_rule():
    missing = [f"{name} ({route})" for name, route, _p in page_routes() if name not in RULES and name not in ALLOWED]
    assert not missing, (
        "These page routes take parameters but the security sweep has no rule to build another customer's "
        f"ids for them: add one to RULES (or a reason to ALLOWED) in {__file__}:\n  " + "\n  ".join(missing)
    )
    stale = set(RULES) - {name for name, _r, _p in page_routes()}
    assert not stale, f"RULES names routes that no longer exist: {sorted(stale)}"


def test_every_parameterised_api_route_has_a_rule():
    missing = [path for path in api_routes() if path not in API_RULES and path not in API_ALLOWED]
    assert not missing, (
        "These API routes take parameters but the security sweep has no rule to build another customer's "
        f"ids for them: add one to API_RULES (or a reason to API_ALLOWED) in {__file__}:\n  " + "\n  ".join(missing)
    )
    stale = set(API_RULES) - set(api_routes())
    assert not stale, f"API_RULES names paths that no longer exist: {sorted(stale)}"


def _fill(route: str, values: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        assert match.group(1) in values, f"the rule for {route} does not give {match.group(1)}"
        return str(values[match.group(1)])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


def _bob(make_user) -> Client:
    bob = Client()
    bob.force_login(make_user("bob.sweep@example.com"))
    return bob


def test_another_customers_ids_on_every_page_route_give_404(alice_world, make_user):
    bob = _bob(make_user)
    before = alice_world.fingerprint()
    tried = 0
    for name, route, _params in page_routes():
        if name not in RULES:
            continue
        url = _fill(route, RULES[name](alice_world))
        for method in METHODS:
            response = getattr(bob, method)(url, POST_DATA.get(name, {}) if method == "post" else None)
            tried += 1
            assert response.status_code in (404, 405), (
                f"{method.upper()} {url} ({name}) as another customer answered {response.status_code}, not 404"
            )
        after = alice_world.fingerprint()
        assert after == before, f"{name}: another customer's requests changed A's data: " + ", ".join(
            key for key in before if before[key] != after[key]
        )
    assert tried >= len(RULES) * len(METHODS)


def _bob_with_a_token(make_user) -> Client:
    from zizhu.accounts.services import create_api_token

    _token, raw = create_api_token(user=make_user("bob.program@example.com"), name="bob's script")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.parametrize("signed_in_by", ["session", "bearer token"])
def test_another_customers_ids_on_every_api_route_give_404(alice_world, make_user, signed_in_by):
    bob = _bob(make_user) if signed_in_by == "session" else _bob_with_a_token(make_user)
    # A program's token may also be refused outright (401/403) where only a browser session may act.
    allowed_refusals = {401, 403} if signed_in_by == "bearer token" else set()
    before = alice_world.fingerprint()
    routes = api_routes()
    for path, methods in routes.items():
        if path not in API_RULES:
            continue
        url = API_PREFIX + path.format(**API_RULES[path](alice_world))
        expected = 403 if path in API_FORBIDDEN else 404
        for method in methods:
            body = API_BODIES.get((path, method))
            response = getattr(bob, method)(
                url,
                json.dumps(body) if body is not None else None,
                content_type="application/json",
                headers={"Idempotency-Key": "sweep-1"},
            )
            assert response.status_code in {expected, *allowed_refusals}, (
                f"{method.upper()} {url} as another customer ({signed_in_by}) answered {response.status_code}, "
                f"not {expected}: " + response.content.decode()[:200]
            )
            assert response.json()["code"], f"{method.upper()} {url}: the error is not the API's JSON shape"
        after = alice_world.fingerprint()
        assert after == before, f"{path}: another customer's requests changed A's data: " + ", ".join(
            key for key in before if before[key] != after[key]
        )


def test_the_owner_reaches_the_same_routes(alice_world):
    """The rules build real, reachable ids: the owner gets a page, not a 404 (else the sweep proves nothing)."""
    alice = Client()
    alice.force_login(alice_world.alice)
    opened = 0
    for name, route, _params in page_routes():
        if name in RULES:
            url = _fill(route, RULES[name](alice_world))
            status = alice.get(url).status_code  # never a POST: acting would change the world
            assert status in (200, 302, 405), f"{name}: the owner cannot open {url} ({status})"
            opened += status != 405
    assert opened >= 5
    for path, methods in api_routes().items():
        if path in API_RULES and path not in API_FORBIDDEN and "get" in methods:
            url = API_PREFIX + path.format(**API_RULES[path](alice_world))
            assert alice.get(url).status_code == 200, f"{path}: the owner cannot read {url}"
