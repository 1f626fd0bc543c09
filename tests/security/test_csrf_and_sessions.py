"""CSRF on every state-changing page and API route (enumerated from the URL conf and the OpenAPI
document), sent by the owner's own signed-in browser without the token → 403 and nothing changed;
and the session key changes at every way of signing in (session fixation)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD
from tests.security.test_other_customers_ids import (
    API_BODIES,
    API_PREFIX,
    API_RULES,
    POST_DATA,
    RULES,
    World,
    _fill,
    openapi_paths,
    page_routes,
)
from tests.security.world import ORDER_DETAILS

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

UNSAFE = ("post", "put", "patch", "delete")
# Reached without a browser session on purpose, so no CSRF token: each is checked otherwise.
EXEMPT_PAGES = {
    "sandbox_gateway:tokens": "the stand-in provider's card tokenisation endpoint (a program's call, no shop data)",
}
EXEMPT_API = {
    "/payments/webhooks/sandbox": "the payment provider's webhook, authenticated by its HMAC signature",
    "/catalog/products/{slug}/configure": "an anonymous price calculation: names a shared, content-addressed SKU, "
    "touches no one's data",
}
# Valid bodies (and query strings), so that a refusal is the CSRF check's and not validation's (422).
CSRF_BODIES: dict[tuple[str, str], tuple[dict[str, object], str]] = {
    ("/auth/signup", "post"): ({"login": "csrf-new@example.com", "password": PASSWORD}, ""),
    ("/auth/signup/confirm", "post"): ({"code": "123456"}, ""),
    ("/auth/signin", "post"): ({"login": "alice.private@example.com", "password": PASSWORD}, ""),
    ("/auth/signin/verify", "post"): ({"method": "totp", "code": "123456"}, ""),
    ("/auth/tokens", "post"): ({"name": "csrf-sweep"}, ""),
    ("/me", "patch"): ({"display_name": "CSRF"}, ""),
    ("/me/favourites", "post"): ({"product": "mug"}, ""),
    ("/me/favourites", "delete"): ({}, "?product=tee"),
    ("/cart/lines", "post"): ({"sku": "TEE-M", "quantity": 1}, ""),
    ("/checkout/orders", "post"): (ORDER_DETAILS, ""),
    ("/checkout/address/parse", "post"): ({"text": "上海市徐汇区梧桐路1号"}, ""),
    ("/recommendations/hidden", "post"): ({"product": "tee"}, ""),
    ("/recommendations/hidden", "delete"): ({}, "?product=mug"),
    ("/auth/passkey", "post"): ({"credential": {}}, ""),
    ("/me/reauth/passkey", "post"): ({"credential": {}}, ""),
    ("/auth/password/reset/sms", "post"): ({"phone": "13912345678"}, ""),
    ("/auth/password/reset/sms/confirm", "post"): ({"code": "123456", "password": PASSWORD}, ""),
    ("/me/passkeys", "post"): ({"name": "CSRF", "credential": {}}, ""),
    ("/me/email", "post"): ({"email": "csrf-new@example.com"}, ""),
    ("/me/email/confirm", "post"): ({"code": "123456"}, ""),
    ("/me/phone", "post"): ({"phone": "13800138000"}, ""),
    ("/me/phone/confirm", "post"): ({"code": "123456"}, ""),
    ("/me/delete", "post"): ({"confirm": "DELETE"}, ""),
    **{key: (body, "") for key, body in API_BODIES.items()},
}


def _page_values(world: World, name: str) -> dict[str, object]:
    """Parameters for any page route: A's own ids where a rule exists, public values otherwise."""
    if name in RULES:
        return RULES[name](world)
    product = world.order.lines.first().product
    return {
        "slug": product.slug,
        "product_id": product.pk,
        "intent_id": world.intent_id,
        "secret": "x",
        "uidb64": "x",
        "token": "x",
        "path": "x",
    }


def _all_page_routes() -> list[tuple[str, str]]:
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not route.startswith(("backoffice/", "api/v1/")):
                    walk(pattern.url_patterns, route, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                found.append((f"{namespace}:{pattern.name or pattern.callback.__name__}", route))

    walk(get_resolver().url_patterns, "", "")
    assert {name for name, _r, _p in page_routes()} <= {name for name, _r in found}
    return found


def _owner(world: World) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.alice)
    browser.get("/")  # the page sets the CSRF cookie; the forged request below does not echo it
    return browser


def test_every_page_form_refuses_a_post_without_the_csrf_token(alice_world):
    browser = _owner(alice_world)
    before = alice_world.fingerprint()
    checked = 0
    for name, route in _all_page_routes():
        if name in EXEMPT_PAGES:
            continue
        url = _fill(route, _page_values(alice_world, name))
        for method in UNSAFE:
            response = getattr(browser, method)(url, POST_DATA.get(name, {}) if method == "post" else None)
            assert response.status_code in (403, 405), (
                f"{method.upper()} {url} ({name}) without a CSRF token answered {response.status_code}, not 403"
            )
            checked += response.status_code == 403
    assert checked > 20
    assert alice_world.fingerprint() == before


def test_every_api_change_with_the_session_refuses_a_missing_csrf_token(alice_world):
    browser = _owner(alice_world)
    before = alice_world.fingerprint()
    checked = 0
    for path, item in openapi_paths().items():
        short = path.removeprefix(API_PREFIX)
        if short in EXEMPT_API:
            continue
        values = API_RULES[short](alice_world) if short in API_RULES else {"slug": "tee"}
        for method in (m for m in item if m in UNSAFE):
            body, query = CSRF_BODIES.get((short, method), ({}, ""))
            response = getattr(browser, method)(
                API_PREFIX + short.format(**values) + query,
                json.dumps(body),
                content_type="application/json",
                headers={"Idempotency-Key": "csrf-sweep"},
            )
            assert response.status_code != 422, (
                f"{method.upper()} {path}: the body was refused before the CSRF check; give a valid one in CSRF_BODIES"
            )
            assert response.status_code in (401, 403), (
                f"{method.upper()} {path} with the session and no CSRF token answered {response.status_code}: "
                + response.content.decode()[:200]
            )
            checked += 1
    assert checked > 10
    assert alice_world.fingerprint() == before


def test_csrf_exempt_routes_are_few_and_named():
    """A new csrf_exempt page must be added to EXEMPT_PAGES with its reason (and its own check)."""
    exempt = {name for name, route in _all_page_routes() if _is_exempt(route)}
    unexplained = sorted(exempt - set(EXEMPT_PAGES))
    assert not unexplained, f"CSRF-exempt pages without a stated reason in EXEMPT_PAGES: {unexplained}"
    assert "sandbox_gateway:tokens" in exempt  # the detection itself works


def _is_exempt(route: str) -> bool:
    from django.urls import resolve

    try:
        match = resolve("/" + route.replace("<str:intent_id>", "x").replace("<str:secret>", "x"))
    except Exception:  # noqa: BLE001 (routes with other parameters are not exempt candidates)
        return False
    return getattr(match.func, "csrf_exempt", False)


def _session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _planted(client: Client) -> str:
    """A session the visitor had before signing in (as an attacker would plant it)."""
    client.get("/")
    session = client.session
    session["planted"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return session.session_key


def test_session_key_changes_at_page_and_api_sign_in(make_user):
    user = make_user("fixation@example.com")
    page = Client()
    before = _planted(page)
    assert page.post("/accounts/signin/", {"username": user.email, "password": PASSWORD}).status_code == 302
    assert _session_key(page) != before

    api = Client()
    before = _planted(api)
    response = api.post(
        "/api/v1/auth/signin", {"login": user.email, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    assert _session_key(api) != before
    assert Client(cookies={settings.SESSION_COOKIE_NAME: before}).get("/api/v1/me").status_code == 401


def test_session_key_changes_at_sign_up(mailoutbox):
    import re

    browser = Client()
    before = _planted(browser)
    browser.post("/accounts/signup/", {"login": "newbie@example.com", "password": PASSWORD})
    code = re.findall(r"\b(\d{6})\b", mailoutbox[-1].body)[-1]
    assert browser.post("/accounts/signup/confirm/", {"code": code}).status_code == 302
    assert _session_key(browser) != before
    assert browser.get("/api/v1/me").status_code == 200
