"""Health and readiness, request ids, security headers, safe logs, the production profile's checks."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from zizhu.core.logging import JsonFormatter, RequestIdFilter, SafeFormatter

REPO = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "ZIZHU_PROFILE": "production",
    "SECRET_KEY": "x7$k!q2@zL9#pW4^mR8&vN1*cT6(bY3)hJ5_fD0+gS7=eA2-uK9~iO4",
    "ALLOWED_HOSTS": "shop.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/zizhu",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "FIELD_ENCRYPTION_KEYS": "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
}


@pytest.mark.smoke
@pytest.mark.django_db
def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "cache": "ok"}


@pytest.mark.smoke
@pytest.mark.django_db
def test_readiness_fails_when_the_cache_is_down(client, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "set", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "failed"


@pytest.mark.smoke
@pytest.mark.django_db
def test_request_id_and_security_headers(client):
    response = client.get("/", HTTP_X_REQUEST_ID="abc123def456")
    assert response["X-Request-ID"] == "abc123def456"
    forged = client.get("/", HTTP_X_REQUEST_ID="bad\r\nid")
    assert forged["X-Request-ID"] != "bad\r\nid" and len(forged["X-Request-ID"]) == 32
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def _record(message: str, *args: object) -> logging.LogRecord:
    record = logging.LogRecord("zizhu", logging.INFO, __file__, 1, message, args, None)
    RequestIdFilter().filter(record)
    return record


def test_log_lines_cannot_be_forged():
    evil = "alice\n2026-01-01 INFO zizhu admin signed in"
    plain = SafeFormatter("%(levelname)s [%(request_id)s] %(message)s").format(_record("login %s", evil))
    assert "\n" not in plain and "\\n2026-01-01" in plain
    line = JsonFormatter("%(message)s %(request_id)s").format(_record("login %s", evil))
    assert "\n" not in line
    assert json.loads(line)["message"] == f"login {evil}"


def _clean_environ() -> dict[str, str]:
    """The parent's environment without test-only switches (browser tests set one)."""
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**_clean_environ(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_profile_passes_check_deploy_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_profile_refuses_to_start_without_its_settings():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    env["SECRET_KEY"] = ""
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.smoke
@pytest.mark.django_db
def test_nul_characters_get_a_4xx_never_a_database_error(client, make_user):
    """Schemathesis found 500s: PostgreSQL refuses NUL, so the API refuses it first (body, path)."""
    client.force_login(make_user("nul@example.com"))
    body = client.patch("/api/v1/me", {"display_name": "a\x00b"}, content_type="application/json")
    assert body.status_code == 422 and body.json()["code"] == "invalid"
    query = client.get("/api/v1/catalog/products", {"q": "a\x00b"})
    assert query.status_code == 200  # search drops the NUL and answers
    path = client.get("/api/v1/catalog/products/a%00b")
    assert path.status_code == 404 and path.json()["code"] == "not_found"
    assert client.get("/p/a%00b/").status_code == 404
