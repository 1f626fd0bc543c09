"""Property-based API fuzzing over /api/v1/openapi.json: no 5xx, every answer fits the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from zizhu.accounts import services as account_services

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def api_schema():
    from zizhu.config.wsgi import application

    # Like Django's test client: keep the test's connection (and transaction) across requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db, make_user):
    user = make_user("fuzz@example.com")
    _token, raw = account_services.create_api_token(user=user, name="fuzzing")
    return raw


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_never_fails_and_keeps_its_schema(case, bearer):
    case.call_and_validate(headers={"Authorization": f"Bearer {bearer}"}, checks=CHECKS)


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_without_credentials_never_fails(case):
    case.call_and_validate(checks=CHECKS)


def test_openapi_document_is_served_and_docs_load_nothing_from_another_host(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "Zizhu API"
    assert "/api/v1/auth/tokens" in spec["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in docs and "https://" not in docs.split("<body")[0]
