"""Accounts API: browser session with CSRF, bearer tokens for programs, JSON errors."""

from __future__ import annotations

import pytest
from django.test import Client

from zizhu.accounts.models import ApiToken, User

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def _token(client: Client, login: str, password: str, name: str = "script") -> str:
    response = client.post(
        "/api/v1/auth/tokens", {"name": name, "login": login, "password": password}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()["token"]


def test_program_creates_a_token_and_uses_it(client, customer, password):
    raw = _token(client, "alice@example.com", password)
    assert raw.startswith("zz_")
    token = ApiToken.objects.get()
    assert token.key_hash != raw and raw not in token.key_hash  # only the hash is stored
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.status_code == 200
    assert me.json()["email"] == "alice@example.com"


def test_token_list_and_revoke(client, customer, password):
    raw = _token(client, "alice@example.com", password)
    program = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    listed = program.get("/api/v1/auth/tokens", **auth).json()
    assert [t["name"] for t in listed] == ["script"]
    assert "token" not in listed[0]
    assert program.delete(f"/api/v1/auth/tokens/{listed[0]['id']}", **auth).status_code == 204
    after = program.get("/api/v1/me", **auth)
    assert after.status_code == 401
    assert after.json()["code"] == "not_authenticated"


def test_another_customers_token_cannot_be_revoked(client, customer, other_customer, password):
    _token(client, "alice@example.com", password)
    bobs = _token(client, "bob@example.com", password)
    alice_token = ApiToken.objects.get(user=customer)
    response = Client().delete(f"/api/v1/auth/tokens/{alice_token.pk}", HTTP_AUTHORIZATION=f"Bearer {bobs}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    alice_token.refresh_from_db()
    assert alice_token.revoked_at is None


def test_wrong_credentials_give_one_answer(client, customer):
    def attempt(login):
        return client.post(
            "/api/v1/auth/tokens",
            {"name": "x", "login": login, "password": "nope-nope-1"},
            content_type="application/json",
        )

    known, unknown = attempt("alice@example.com"), attempt("nobody@example.com")
    assert known.status_code == unknown.status_code == 422
    assert known.json() == unknown.json()


def test_session_api_needs_csrf(customer, password):
    browser = Client(enforce_csrf_checks=True)
    refused = browser.post(
        "/api/v1/auth/signin", {"login": "alice@example.com", "password": password}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    token = browser.get("/api/v1/auth/csrf").json()["csrf_token"]
    signed_in = browser.post(
        "/api/v1/auth/signin",
        {"login": "alice@example.com", "password": password},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert signed_in.status_code == 200
    # a state change with the session but without the CSRF header is refused
    patch = browser.patch("/api/v1/me", {"display_name": "X"}, content_type="application/json")
    assert patch.status_code in (401, 403)
    customer.refresh_from_db()
    assert customer.display_name == "Alice"


def test_update_profile_validates(client, customer):
    client.force_login(customer)
    bad = client.patch("/api/v1/me", {"language": "klingon"}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid" and "language" in bad.json()["fields"]
    ok = client.patch("/api/v1/me", {"elder_mode": True, "language": "en"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["elder_mode"] is True
    customer.refresh_from_db()
    assert customer.language == "en"


def test_signup_api_errors_are_translated(client):
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    response = client.post(
        "/api/v1/auth/signup",
        {"login": "123", "password": "whatever-long-1"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and "login" in body["fields"]
    assert "手机号" in body["message"]
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        '{"login": 5}',
        "not json",
        "[]",
        '{"login": "a@example.com"}',
        '{"login": "' + "a" * 5000 + '", "password": "x"}',
    ],
)
def test_malformed_bodies_get_a_json_4xx(client, body):
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    response = client.post("/api/v1/auth/signup", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == (400 if body == "not json" else 422)
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"code", "message", "fields"}


def test_unknown_api_paths_answer_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
