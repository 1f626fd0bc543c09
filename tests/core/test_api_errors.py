"""The API answers every refusal in its JSON error shape, translated — also the ones Django or Ninja
would answer themselves (found by session 7's adversarial review: a multipart header without a
boundary gave a 500, an unsupported method an English text 405)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.ordering import category, shirt, tee_m  # noqa: F401  (fixtures)
from zizhu.cart.models import CartLine

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("put", "/api/v1/cart", "GET"),
        ("delete", "/api/v1/checkout/orders", "POST"),
        ("get", "/api/v1/orders/O1234567890123456/cancel", "POST"),
        ("options", "/api/v1/cart", "GET"),
    ],
)
def test_a_method_the_endpoint_does_not_take_is_a_translated_json_405(client, method, path, allowed):
    response = getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 405 and response["Content-Type"] == "application/json"
    assert response.json() == {"code": "method_not_allowed", "message": "此处不支持该操作。", "fields": {}}
    assert allowed in response["Allow"]
    english = getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["message"] == "This action is not available here."


@pytest.mark.usefixtures("tee_m")
def test_a_multipart_body_without_a_boundary_is_a_400_and_adds_nothing():
    client = Client(enforce_csrf_checks=True)
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    response = client.generic(
        "POST",
        "/api/v1/cart/lines",
        b'{"sku": "TEE-M", "quantity": 1}',
        content_type="multipart/form-data",
        HTTP_X_CSRFTOKEN=token,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "The request could not be read. Send a valid JSON body.",
        "fields": {},
    }
    assert not CartLine.objects.exists()


def test_a_body_over_the_upload_limit_is_a_400(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = '{"sku": "TEE-M", "quantity": 1, "note": "' + "x" * 200 + '"}'
    response = client.post("/api/v1/cart/lines", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
