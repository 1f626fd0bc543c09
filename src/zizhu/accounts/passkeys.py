"""Passkeys (WebAuthn, py_webauthn): register, sign in without a password, or confirm a second step.

* The relying party: ``WEBAUTHN_RP_ID`` and ``WEBAUTHN_ORIGINS`` in production; unset, both come
  from the request's host, which Django has already checked against ``ALLOWED_HOSTS`` (so
  ``localhost`` in tests and ``run --https`` work). Browsers refuse IP addresses as an RP id:
  open the shop as ``localhost``, not ``127.0.0.1``, to use passkeys locally.
* Challenges live in the session (``CHALLENGE``), one at a time, used once (taken out before the
  response is checked, so a failed or replayed answer needs new options) and valid ``CHALLENGE_TTL``.
* Passkey sign-in asks the authenticator to verify the person (PIN or biometrics): something you
  have plus something you are or know, so it signs in directly. As a second step after the password
  the same check is made against the pending person's own passkeys only.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils import timezone
from django.utils.translation import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from zizhu.accounts.models import Passkey, User
from zizhu.core.errors import InvalidInput, NotFound

CHALLENGE = "zizhu_webauthn"
CHALLENGE_TTL = 5 * 60
MAX_PASSKEYS = 10
REGISTER = "register"
SIGN_IN = "sign_in"
REAUTH = "reauth"  # a signed-in person confirms it is them before a sensitive change


# --- the relying party -------------------------------------------------------------------------------


def rp_id(request: HttpRequest) -> str:
    domain, _port = split_domain_port(request.get_host())
    return str(getattr(settings, "WEBAUTHN_RP_ID", "") or domain)


def origins(request: HttpRequest) -> list[str]:
    configured = list(getattr(settings, "WEBAUTHN_ORIGINS", []) or [])
    return configured or [f"{request.scheme}://{request.get_host()}"]


def credential_key(raw_id: bytes) -> str:
    return hashlib.sha256(raw_id).hexdigest()


# --- challenges --------------------------------------------------------------------------------------


def _remember(request: HttpRequest, purpose: str, challenge: bytes, user_id: int | None) -> None:
    request.session[CHALLENGE] = {
        "purpose": purpose,
        "challenge": bytes_to_base64url(challenge),
        "user_id": user_id,
        "at": time.time(),
    }


def _take(request: HttpRequest, purpose: str) -> dict[str, Any]:
    """The pending challenge of ``purpose``, removed from the session (used once)."""
    from webauthn import base64url_to_bytes

    data = request.session.pop(CHALLENGE, None) or {}
    if data.get("purpose") != purpose or time.time() - float(data.get("at", 0)) > CHALLENGE_TTL:
        raise _invalid(_("This passkey request has expired. Please try again."), code="passkey_expired")
    return {**data, "challenge": base64url_to_bytes(data["challenge"])}


def _invalid(message: str | None = None, code: str = "passkey_invalid") -> InvalidInput:
    text = message or _("The passkey could not be verified. Please try again.")
    return InvalidInput(text, fields={"credential": [text]}, code=code)


def _as_dict(credential: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(credential, dict):
        return credential
    try:
        data = json.loads(credential or "")
    except ValueError:
        raise _invalid() from None
    if not isinstance(data, dict):
        raise _invalid()
    return data


# --- registration --------------------------------------------------------------------------------------


def registration_options(*, user: User, request: HttpRequest) -> dict[str, Any]:
    """Options for ``navigator.credentials.create``: a discoverable credential, verified person."""
    existing = list(Passkey.objects.filter(user=user))
    handle = bytes(existing[0].user_handle) if existing else secrets.token_bytes(32)
    options = generate_registration_options(
        rp_id=rp_id(request),
        rp_name=str(getattr(settings, "WEBAUTHN_RP_NAME", "Zizhu")),
        user_name=user.login_display,
        user_id=handle,
        user_display_name=user.display_name or user.login_display,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=bytes(p.credential_id)) for p in existing],
    )
    _remember(request, REGISTER, options.challenge, user.pk)
    request.session[CHALLENGE]["handle"] = bytes_to_base64url(handle)
    request.session.modified = True
    return json.loads(options_to_json(options))


def register(
    *, user: User, request: HttpRequest, credential: str | dict[str, Any], name: str = ""
) -> tuple[Passkey, list[str]]:
    """Check the authenticator's answer and keep the passkey; returns it and new backup codes (if none)."""
    from webauthn import base64url_to_bytes

    from zizhu.accounts import mfa

    name = " ".join((name or "").split())[:60] or _("Passkey")
    if any(ord(ch) < 32 for ch in name):
        raise InvalidInput(
            _("Use letters, digits and spaces."), fields={"name": [_("Use letters, digits and spaces.")]}
        )
    pending = _take(request, REGISTER)
    if pending.get("user_id") != user.pk:
        raise _invalid(_("This passkey request has expired. Please try again."), code="passkey_expired")
    try:
        verified = verify_registration_response(
            credential=_as_dict(credential),
            expected_challenge=pending["challenge"],
            expected_rp_id=rp_id(request),
            expected_origin=origins(request),
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise _invalid() from None
    transports = [str(t) for t in (_as_dict(credential).get("response") or {}).get("transports") or []][:8]
    with transaction.atomic():
        if Passkey.objects.select_for_update().filter(user=user).count() >= MAX_PASSKEYS:
            raise _invalid(_("You already have 10 passkeys. Remove one first."), code="passkey_limit")
        if Passkey.objects.filter(credential_key=credential_key(verified.credential_id)).exists():
            raise _invalid(_("This passkey is already registered."), code="passkey_exists")
        passkey = Passkey.objects.create(
            user=user,
            name=name,
            credential_id=verified.credential_id,
            credential_key=credential_key(verified.credential_id),
            public_key=verified.credential_public_key,
            user_handle=base64url_to_bytes(pending["handle"]),
            sign_count=verified.sign_count,
            transports=transports,
            aaguid=str(verified.aaguid)[:36],
            backed_up=bool(verified.credential_backed_up),
        )
        backup = mfa.new_backup_codes(user=user) if not mfa.backup_codes_left(user) else []
    return passkey, backup


# --- signing in ------------------------------------------------------------------------------------------


def authentication_options(*, request: HttpRequest, user: User | None = None, purpose: str = SIGN_IN) -> dict[str, Any]:
    """Options for ``navigator.credentials.get``: any passkey of this site, or only ``user``'s."""
    allow = [
        PublicKeyCredentialDescriptor(id=bytes(p.credential_id), transports=None)
        for p in (Passkey.objects.filter(user=user) if user is not None else [])
    ]
    if user is not None and not allow:
        raise NotFound(_("You have no passkey."))
    options = generate_authentication_options(
        rp_id=rp_id(request),
        allow_credentials=allow,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    _remember(request, purpose, options.challenge, user.pk if user is not None else None)
    return json.loads(options_to_json(options))


def authenticate(*, request: HttpRequest, credential: str | dict[str, Any], purpose: str = SIGN_IN) -> User:
    """Check an answer to ``authentication_options``; returns the person (the sign count moves on)."""
    pending = _take(request, purpose)
    data = _as_dict(credential)
    try:
        parsed = parse_authentication_credential_json(json.dumps(data))
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise _invalid() from None
    passkeys = Passkey.objects.select_related("user").filter(user__is_active=True)
    if pending.get("user_id") is not None:  # a second step: only the pending person's passkeys
        passkeys = passkeys.filter(user_id=pending["user_id"])
    passkey = passkeys.filter(credential_key=credential_key(parsed.raw_id)).first()
    if passkey is None:
        raise _invalid(_("This passkey is not registered with your account."), code="passkey_unknown")
    handle = parsed.response.user_handle
    if handle is not None and bytes(handle) != bytes(passkey.user_handle):
        raise _invalid()
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=pending["challenge"],
            expected_rp_id=rp_id(request),
            expected_origin=origins(request),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise _invalid() from None
    # Conditional update: of two concurrent answers with the same count, only one is accepted.
    moved = Passkey.objects.filter(pk=passkey.pk, sign_count=passkey.sign_count).update(
        sign_count=verified.new_sign_count, last_used_at=timezone.now()
    )
    if not moved and verified.new_sign_count:
        raise _invalid()
    return passkey.user


# --- managing --------------------------------------------------------------------------------------------


def rename(*, user: User, passkey_id: int, name: str) -> Passkey:
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 60 or any(ord(ch) < 32 for ch in name):
        message = _("Give the passkey a name of 1 to 60 characters.")
        raise InvalidInput(message, fields={"name": [message]})
    updated = Passkey.objects.filter(user=user, pk=passkey_id).update(name=name)
    if not updated:
        raise NotFound(_("No such passkey."))
    return Passkey.objects.get(pk=passkey_id)


def remove(*, user: User, passkey_id: int) -> Passkey:
    """Remove one of the person's own passkeys (backup codes go when no second factor is left)."""
    from django_otp.plugins.otp_static.models import StaticDevice

    from zizhu.accounts import mfa

    with transaction.atomic():
        passkey = Passkey.objects.filter(user=user, pk=passkey_id).first()
        if passkey is None:
            raise NotFound(_("No such passkey."))
        passkey.delete()
        if not mfa.has_second_factor(user):
            StaticDevice.objects.filter(user=user).delete()
    return passkey


def list_for(user: User) -> list[Passkey]:
    return list(Passkey.objects.filter(user=user).order_by("created_at", "id"))
