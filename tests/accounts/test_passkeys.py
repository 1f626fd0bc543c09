"""Passkeys through the API and the pages, answered by a software authenticator (tests/accounts/soft_authenticator.py):
registration behind re-authentication, sign-in without a name, passkey as the second step, single-use
expiring challenges, the signature counter, other people's passkeys not found."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.accounts.soft_authenticator import SoftAuthenticator
from zizhu.accounts import mfa
from zizhu.accounts.models import AuditRecord, Passkey

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

JSON = "application/json"


def post(client: Client, url: str, body: dict | None = None):
    return client.post(url, body or {}, content_type=JSON)


def register(client: Client, authenticator: SoftAuthenticator, name: str = "My phone"):
    options = post(client, "/api/v1/me/passkeys/options")
    assert options.status_code == 200, options.content
    public_key = options.json()["publicKey"]
    assert public_key["authenticatorSelection"]["residentKey"] == "required"
    assert public_key["authenticatorSelection"]["userVerification"] == "required"
    return post(client, "/api/v1/me/passkeys", {"name": name, "credential": authenticator.create(public_key)})


def sign_in_with(client: Client, authenticator: SoftAuthenticator, **kwargs):
    options = post(client, "/api/v1/auth/passkey/options").json()["publicKey"]
    return post(client, "/api/v1/auth/passkey", {"credential": authenticator.get(options, **kwargs)}), options


@pytest.fixture
def alice_with_passkey(client, customer):
    client.force_login(customer)  # a fresh sign-in counts as recent authentication
    authenticator = SoftAuthenticator()
    added = register(client, authenticator)
    assert added.status_code == 201, added.content
    client.logout()
    return customer, authenticator


def test_register_list_rename_and_first_backup_codes(client, customer):
    client.force_login(customer)
    added = register(client, SoftAuthenticator())
    assert added.status_code == 201
    body = added.json()
    assert body["name"] == "My phone" and len(body["backup_codes"]) == 10  # the first factor brings backup codes
    passkey = Passkey.objects.get(user=customer)
    assert passkey.sign_count == 0 and passkey.transports == ["internal"] and len(bytes(passkey.user_handle)) == 32
    assert bytes(passkey.user_handle) != str(customer.pk).encode()  # never the database id
    listed = client.get("/api/v1/me/passkeys").json()
    assert [p["name"] for p in listed] == ["My phone"]
    renamed = client.patch(f"/api/v1/me/passkeys/{passkey.pk}", {"name": "  Work   laptop "}, content_type=JSON)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Work laptop"
    assert AuditRecord.objects.filter(action="account.security_change", summary="passkey added: My phone").count() == 1
    # a second passkey shares the account's user handle and is excluded from re-registration
    options = post(client, "/api/v1/me/passkeys/options").json()["publicKey"]
    assert (
        options["user"]["id"]
        == __import__("base64").urlsafe_b64encode(bytes(passkey.user_handle)).rstrip(b"=").decode()
    )
    assert len(options["excludeCredentials"]) == 1


def test_registration_needs_recent_authentication_and_a_session(client, customer):
    client.force_login(customer)
    session = client.session
    session[mfa.AUTH_AT] = time.time() - mfa.REAUTH_WINDOW - 5
    session.save()
    refused = post(client, "/api/v1/me/passkeys/options")
    assert refused.status_code == 403 and refused.json()["code"] == "reauth_required"
    wrong = post(client, "/api/v1/me/reauth", {"password": "wrong"})
    assert wrong.status_code == 422 and wrong.json()["code"] == "password_wrong"
    assert post(client, "/api/v1/me/passkeys/options").status_code == 403


def test_reauth_by_password_opens_registration(client, customer, password):
    client.force_login(customer)
    session = client.session
    session[mfa.AUTH_AT] = time.time() - mfa.REAUTH_WINDOW - 5
    session.save()
    assert post(client, "/api/v1/me/reauth", {"password": password}).status_code == 204
    assert register(client, SoftAuthenticator()).status_code == 201


def test_a_bearer_token_cannot_register_a_passkey(client, customer):
    from zizhu.accounts import services

    _token, raw = services.create_api_token(user=customer, name="script")
    refused = Client().post("/api/v1/me/passkeys/options", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert refused.status_code == 403 and refused.json()["code"] == "session_required"


def test_sign_in_without_a_name_starts_a_new_session(client, alice_with_passkey):
    customer, authenticator = alice_with_passkey
    client.get("/api/v1/auth/csrf")
    before = client.session.session_key
    signed_in, options = sign_in_with(client, authenticator)
    assert options["allowCredentials"] == [] and options["userVerification"] == "required"
    assert signed_in.status_code == 200, signed_in.content
    assert signed_in.json()["email"] == "alice@example.com"
    assert signed_in.cookies["zizhu_lang"].value == customer.language  # the account's language applies
    assert int(client.session[SESSION_KEY]) == customer.pk and client.session.session_key != before
    passkey = Passkey.objects.get(user=customer)
    assert passkey.sign_count == 1 and passkey.last_used_at is not None


def test_a_challenge_works_once(client, alice_with_passkey):
    _customer, authenticator = alice_with_passkey
    options = post(client, "/api/v1/auth/passkey/options").json()["publicKey"]
    answer = authenticator.get(options)
    assert post(client, "/api/v1/auth/passkey", {"credential": answer}).status_code == 200
    other = Client()  # the same answer replayed elsewhere, and here again
    post(other, "/api/v1/auth/passkey/options")
    replayed = post(other, "/api/v1/auth/passkey", {"credential": answer})
    assert replayed.status_code == 422 and replayed.json()["code"] == "passkey_invalid"
    again = post(client, "/api/v1/auth/passkey", {"credential": answer})
    assert again.status_code == 422 and again.json()["code"] == "passkey_expired"


def test_a_challenge_expires_after_five_minutes(client, alice_with_passkey):
    _customer, authenticator = alice_with_passkey
    with time_machine.travel(time.time(), tick=False) as clock:
        options = post(client, "/api/v1/auth/passkey/options").json()["publicKey"]
        clock.shift(5 * 60 + 1)
        late = post(client, "/api/v1/auth/passkey", {"credential": authenticator.get(options)})
    assert late.status_code == 422 and late.json()["code"] == "passkey_expired"
    assert SESSION_KEY not in client.session


def test_a_counter_that_does_not_move_on_is_refused(client, alice_with_passkey):
    customer, authenticator = alice_with_passkey
    assert sign_in_with(client, authenticator, counter_step=5)[0].status_code == 200
    client.logout()
    cloned, _options = sign_in_with(client, authenticator, counter_step=-2)  # a copy with an older counter
    assert cloned.status_code == 422 and cloned.json()["code"] == "passkey_invalid"
    assert Passkey.objects.get(user=customer).sign_count == 5
    assert SESSION_KEY not in client.session


def test_wrong_origin_and_unknown_credential_are_refused(client, alice_with_passkey):
    _customer, authenticator = alice_with_passkey
    phished, _options = sign_in_with(client, authenticator, origin="http://testserver.evil.example")
    assert phished.status_code == 422
    stranger = SoftAuthenticator()
    stranger.user_handle = authenticator.user_handle
    unknown, _options = sign_in_with(client, stranger)
    assert unknown.status_code == 422 and unknown.json()["code"] == "passkey_unknown"
    garbage = post(client, "/api/v1/auth/passkey", {"credential": {"id": "x", "response": {}}})
    assert garbage.status_code == 422


def test_passkey_as_the_second_step_after_the_password(client, alice_with_passkey, password, make_user):
    customer, authenticator = alice_with_passkey
    bob = make_user("bob@example.com")
    bob_client = Client()
    bob_client.force_login(bob)
    bob_key = SoftAuthenticator()
    assert register(bob_client, bob_key).status_code == 201

    client.get("/api/v1/auth/csrf")
    first = post(client, "/api/v1/auth/signin", {"login": "alice@example.com", "password": password})
    assert first.status_code == 202 and first.json()["methods"][0] == "passkey"
    assert "backup" in first.json()["methods"]
    assert SESSION_KEY not in client.session
    options = post(client, "/api/v1/auth/passkey/options").json()["publicKey"]
    assert len(options["allowCredentials"]) == 1  # only Alice's passkeys are offered
    wrong_person = post(client, "/api/v1/auth/passkey", {"credential": bob_key.get(options)})
    assert wrong_person.status_code == 422 and SESSION_KEY not in client.session
    options = post(client, "/api/v1/auth/passkey/options").json()["publicKey"]
    done = post(client, "/api/v1/auth/passkey", {"credential": authenticator.get(options)})
    assert done.status_code == 200 and int(client.session[SESSION_KEY]) == customer.pk
    assert mfa.PENDING not in client.session


def test_second_step_page_offers_the_passkey(client, alice_with_passkey, password):
    response = client.post(reverse("accounts:signin"), {"username": "alice@example.com", "password": password})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:signin_verify")
    page = client.get(reverse("accounts:signin_verify")).content.decode()
    assert "data-passkey-signin" in page and "accounts/js/passkeys.js" in page
    assert 'value="backup"' in page or 'name="method"' in page  # backup codes still work


def test_pages_list_rename_remove_behind_reauth(client, customer, make_user):
    client.force_login(customer)
    assert register(client, SoftAuthenticator()).status_code == 201
    passkey = Passkey.objects.get(user=customer)
    page = client.get(reverse("accounts:passkeys"))
    assert page.status_code == 200 and "My phone" in page.content.decode()
    assert client.post(reverse("accounts:passkey_rename", args=[passkey.pk]), {"name": "Tablet"}).status_code == 302
    assert Passkey.objects.get(pk=passkey.pk).name == "Tablet"
    # another customer's passkey id is simply not found
    bob = make_user("bob@example.com")
    bob_client = Client()
    bob_client.force_login(bob)
    bob_client.post(reverse("accounts:passkey_remove", args=[passkey.pk]))
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    assert bob_client.patch(f"/api/v1/me/passkeys/{passkey.pk}", {"name": "x"}, content_type=JSON).status_code == 404
    assert bob_client.delete(f"/api/v1/me/passkeys/{passkey.pk}").status_code == 404
    # stale authentication: the page asks to confirm first
    session = client.session
    session[mfa.AUTH_AT] = time.time() - mfa.REAUTH_WINDOW - 5
    session.save()
    stale = client.get(reverse("accounts:passkeys"))
    assert stale.status_code == 302 and stale["Location"].startswith(reverse("accounts:reauth"))
    assert client.delete(f"/api/v1/me/passkeys/{passkey.pk}").status_code == 403
    session[mfa.AUTH_AT] = time.time()
    session.save()
    assert client.post(reverse("accounts:passkey_remove", args=[passkey.pk])).status_code == 302
    assert not Passkey.objects.filter(user=customer).exists()
    assert not mfa.has_second_factor(customer) and mfa.backup_codes_left(customer) == 0
    assert AuditRecord.objects.filter(summary="passkey removed: Tablet").count() == 1


def test_signin_page_offers_a_passkey_and_reset_by_sms(client):
    page = client.get(reverse("accounts:signin")).content.decode()
    assert "data-passkey-signin" in page and reverse("accounts:sms_reset") in page
    assert 'data-next="/accounts/profile/"' in page
    evil = client.get(reverse("accounts:signin") + "?next=https://evil.example/").content.decode()
    assert "evil.example" not in evil.split("data-next=")[1].split(">")[0]


def test_reauthentication_with_a_passkey(client, customer):
    client.force_login(customer)
    authenticator = SoftAuthenticator()
    assert register(client, authenticator).status_code == 201
    session = client.session
    session[mfa.AUTH_AT] = time.time() - mfa.REAUTH_WINDOW - 5
    session.save()
    page = client.get(reverse("accounts:reauth") + "?next=/accounts/security/passkeys/").content.decode()
    assert "/api/v1/me/reauth/passkey/options" in page and 'data-next="/accounts/security/passkeys/"' in page
    options = post(client, "/api/v1/me/reauth/passkey/options").json()["publicKey"]
    assert len(options["allowCredentials"]) == 1
    # an answer to sign-in options does not count as re-authentication (another purpose)
    signin_options = post(client, "/api/v1/auth/passkey/options").json()["publicKey"]
    wrong_purpose = post(client, "/api/v1/me/reauth/passkey", {"credential": authenticator.get(signin_options)})
    assert wrong_purpose.status_code == 422
    options = post(client, "/api/v1/me/reauth/passkey/options").json()["publicKey"]
    done = post(client, "/api/v1/me/reauth/passkey", {"credential": authenticator.get(options)})
    assert done.status_code == 204
    assert client.get(reverse("accounts:passkeys")).status_code == 200  # the sensitive page opens now
