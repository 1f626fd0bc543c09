"""Privacy: "download my data" holds every section each app registered; "delete my account" leaves no
table holding the customer's phone, e-mail or name (in clear, encrypted or as a blind index), keeps
the orders anonymised, and the account can no longer sign in. Customer A's world (tests/security/world.py)
is built through the real flows: an order, a payment, a cart, favourites, history, a saved address,
a token, a signed-in device, a passkey."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.core import mail
from django.db import models
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from tests.ordering import category, shirt, tee_l, tee_m  # noqa: F401
from tests.payments.conftest import payment_settings  # noqa: F401
from tests.security.world import ADDRESS_LINE, EMAIL, ORDER_EMAIL, PHONE, alice_world  # noqa: F401
from zizhu.accounts import mfa, privacy
from zizhu.accounts.models import AuditRecord, User
from zizhu.catalog.models import BehaviourEvent
from zizhu.core.crypto import BlindIndexField, EncryptedTextField, blind_index
from zizhu.notifications.models import InboxMessage
from zizhu.orders.models import Order
from zizhu.payments.models import Payment

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

NAME = "Alice"
ORDER_NAME = "李秘密"
SECRETS = (EMAIL, "13912345678", ORDER_EMAIL, "13987654321", "139 8765 4321", ADDRESS_LINE, "梧桐路", ORDER_NAME)


@pytest.fixture(autouse=True)
def no_floor(settings):
    settings.ZIZHU_AUTH_RESPONSE_FLOOR = {}


@pytest.fixture
def world(alice_world):  # noqa: F811  (the fixture imported above)
    alice = alice_world.alice
    TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    mfa.new_backup_codes(user=alice)
    InboxMessage.objects.create(customer=alice, subject="Hello Alice", body=f"We wrote to {EMAIL}.")
    BehaviourEvent.objects.create(
        user=alice, session_key="s" * 32, product=alice_world.order.lines.first().product, event_type="view"
    )
    return alice_world


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)  # a fresh sign-in: recent enough for sensitive pages
    return client


def read_zip(data: bytes) -> dict[str, object]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name.removesuffix(".json"): json.loads(archive.read(name)) for name in archive.namelist()}


def test_download_holds_every_section_with_the_customers_own_data(world):
    client = signed_in(world.alice)
    response = client.post(reverse("accounts:privacy_export"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "no-store"
    files = read_zip(response.content)
    expected = {
        "profile",
        "sign_in",
        "account_history",
        "favourites",
        "browsing_history",
        "behaviour_events",
        "carts",
        "orders",
        "payments",
        "addresses",
        "voucher_uses",
        "recommendations",
        "inbox",
    }
    assert expected <= set(privacy.sections()) and expected <= set(files)
    assert sorted(files["index"]["sections"]) == sorted(privacy.sections())
    assert files["profile"]["email"] == EMAIL and files["profile"]["phone"] == PHONE
    assert files["addresses"][0]["line"] == ADDRESS_LINE  # decrypted for its owner
    assert files["orders"][0]["number"] == world.order.number and files["orders"][0]["contact_name"] == ORDER_NAME
    assert files["orders"][0]["lines"][0]["sku"] == "TEE-M"
    assert files["payments"][0]["number"] == world.payment.number
    assert [f["product"] for f in files["favourites"]] == ["tee"]
    assert files["browsing_history"] and files["behaviour_events"] and files["carts"]
    assert files["recommendations"]["hidden"][0]["product"] == "mug"
    assert [p["name"] for p in files["sign_in"]["passkeys"]] == ["Alice's phone"]
    assert [m["subject"] for m in files["inbox"]["messages"]][-1] == "Hello Alice"
    assert set(files["sign_in"]["second_factors"]) >= {"passkey", "totp", "backup"}
    assert AuditRecord.objects.filter(action="account.data_export", actor_id=world.alice.pk).count() == 1


def test_download_is_behind_reauthentication_and_post_only(world):
    import time

    client = signed_in(world.alice)
    assert client.get(reverse("accounts:privacy_export")).status_code == 405
    session = client.session
    session[mfa.AUTH_AT] = time.time() - mfa.REAUTH_WINDOW - 1
    session.save()
    stale = client.post(reverse("accounts:privacy_export"))
    assert stale.status_code == 302 and stale["Location"].startswith(reverse("accounts:reauth"))
    api = client.post("/api/v1/me/export", {}, content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "reauth_required"
    assert client.get(reverse("accounts:privacy")).status_code == 200


def _text_fields(model: type[models.Model]) -> list[str]:
    kinds = (models.CharField, models.TextField, models.JSONField, EncryptedTextField)
    return [f.name for f in model._meta.concrete_fields if isinstance(f, kinds)]


def leftovers(needles: tuple[str, ...], alice_id: int) -> list[str]:
    """Every row of every table, read through the ORM (so encrypted values are decrypted), searched
    for the needles; blind indexes compared with the index of the phone and e-mail."""
    found = []
    indexes = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, BlindIndexField):
                indexes.setdefault(
                    field.purpose,
                    {blind_index(PHONE, purpose=field.purpose), blind_index(EMAIL, purpose=field.purpose)},
                )
                if model.objects.filter(**{f"{field.attname}__in": indexes[field.purpose]}).exists():
                    found.append(f"{model._meta.label}.{field.name} (blind index)")
        names = _text_fields(model)
        if not names:
            continue
        for row in model.objects.values("pk", *names):
            text = json.dumps(row, ensure_ascii=False, default=str)
            for needle in needles:
                if needle in text:
                    found.append(f"{model._meta.label}#{row['pk']}: {needle}")
    return found


def test_deleting_the_account_erases_personal_data_everywhere(
    world, other_customer, django_capture_on_commit_callbacks
):
    alice = world.alice
    assert leftovers(SECRETS, alice.pk)  # the search works: the world holds them before
    client = signed_in(alice)
    other_device = signed_in(alice)
    assert other_device.get(reverse("accounts:devices")).status_code == 200  # the session is seen (tracked)
    other_key = other_device.session.session_key
    page = client.get(reverse("accounts:delete_account"))
    assert page.status_code == 200 and "删除" in page.content.decode()
    wrong = client.post(reverse("accounts:delete_account"), {"confirm": "yes"})
    assert wrong.status_code == 422 and User.objects.filter(pk=alice.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("accounts:delete_account"), {"confirm": "删除"})
    assert done.status_code == 302 and done["Location"] == reverse("storefront:home")

    assert not User.objects.filter(pk=alice.pk).exists()
    assert leftovers((*SECRETS, NAME, "Alice's phone"), alice.pk) == []
    # orders and payments are kept for accounting, without the person
    order = Order.objects.get(pk=world.order.pk)
    assert order.customer_id is None and order.total == world.order.total and order.lines.count() == 1
    assert (order.contact_name, order.contact_phone, order.email, order.address_line) == ("", "", "", "")
    assert (order.adcode, order.latitude, order.longitude) == ("", None, None)  # the district's centre too
    assert order.province == "上海市"
    assert Payment.objects.get(pk=world.payment.pk).customer_id is None
    assert BehaviourEvent.objects.filter(user__isnull=True, session_key="").exists()
    # signed out everywhere, and no way back in
    assert client.get("/api/v1/me").status_code == 401
    assert other_device.get("/api/v1/me").status_code == 401
    from importlib import import_module

    from django.conf import settings

    assert not import_module(settings.SESSION_ENGINE).SessionStore().exists(other_key)  # gone from the store
    again = Client().post(reverse("accounts:signin"), {"username": EMAIL, "password": PASSWORD})
    assert again.status_code == 422
    assert AuditRecord.objects.filter(action="account.delete", target_id=str(alice.pk)).count() == 1
    assert mail.outbox[-1].to == [EMAIL] and "删除" in mail.outbox[-1].subject  # told, in their language
    assert User.objects.filter(pk=other_customer.pk).exists()  # nobody else is touched


def test_delete_through_the_api_needs_the_typed_word_and_a_recent_sign_in(make_user, password):
    alice = make_user("api-leaver@example.com", display_name="Leaver")
    client = signed_in(alice)
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    headers = {"X-CSRFToken": token}
    wrong = client.post("/api/v1/me/delete", {"confirm": "no"}, content_type="application/json", headers=headers)
    assert wrong.status_code == 422 and wrong.json()["code"] == "confirmation_wrong"
    import time

    session = client.session
    session[mfa.AUTH_AT] = time.time() - mfa.REAUTH_WINDOW - 1
    session.save()
    stale = client.post("/api/v1/me/delete", {"confirm": "DELETE"}, content_type="application/json", headers=headers)
    assert stale.status_code == 403 and User.objects.filter(pk=alice.pk).exists()
    # a program: its bearer token and the password
    from zizhu.accounts import services

    _token, raw = services.create_api_token(user=alice, name="script")
    program = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    export = program.post("/api/v1/me/export", {"password": password}, content_type="application/json")
    assert export.status_code == 200 and read_zip(export.content)["profile"]["email"] == "api-leaver@example.com"
    bad = program.post("/api/v1/me/delete", {"confirm": "DELETE", "password": "nope"}, content_type="application/json")
    assert bad.status_code == 422 and User.objects.filter(pk=alice.pk).exists()
    gone = program.post(
        "/api/v1/me/delete", {"confirm": "DELETE", "password": password}, content_type="application/json"
    )
    assert gone.status_code == 204 and not User.objects.filter(pk=alice.pk).exists()
    assert program.get("/api/v1/me").status_code == 401  # the token went with the account


def test_a_staff_account_is_not_deleted_by_its_owner(make_user):
    staff = make_user("clerk@example.com", is_staff=True)
    client = signed_in(staff)
    refused = client.post(reverse("accounts:delete_account"), {"confirm": "删除"})
    assert refused.status_code == 403 and User.objects.filter(pk=staff.pk).exists()
    assert not AuditRecord.objects.filter(action="account.delete").exists()
