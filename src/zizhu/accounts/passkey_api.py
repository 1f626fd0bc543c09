"""Passkey API (also what the pages' script calls): register, list, rename, remove, sign in.

Routes hang on the accounts routers (``/api/v1/auth/...`` and ``/api/v1/me/...``); this module is
imported by ``zizhu.accounts.api``. Registration and removal need a recent sign-in or
re-authentication (``POST /api/v1/me/reauth``), like every change of sign-in settings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Schema, Status

from zizhu.accounts import audit, mfa, passkeys
from zizhu.accounts.api import ProfileOut, auth_router, me_router
from zizhu.accounts.audit import client_ip
from zizhu.accounts.auth import require_csrf
from zizhu.accounts.models import User
from zizhu.core import ratelimit
from zizhu.core.api_errors import ErrorOut
from zizhu.core.errors import InvalidInput, PermissionDenied

BACKEND = "zizhu.accounts.backends.EmailOrPhoneBackend"


class PasskeyOut(Schema):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    backed_up: bool = Field(..., description="Synced by the platform (a multi-device passkey)")


class NewPasskeyOut(PasskeyOut):
    backup_codes: list[str] = Field(..., description="New backup codes, shown once (only for a first factor)")


class OptionsOut(Schema):
    publicKey: dict[str, Any] = Field(..., description="For navigator.credentials (binary values in base64url)")


class PasskeyIn(Schema):
    name: str = Field("", max_length=60)
    credential: dict[str, Any] = Field(..., description="The PublicKeyCredential as JSON (base64url values)")


class RenameIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)


class CredentialIn(Schema):
    credential: dict[str, Any] = Field(..., description="The PublicKeyCredential as JSON (base64url values)")


class ReauthIn(Schema):
    password: str | None = Field(None, max_length=128)
    method: str | None = Field(None, max_length=10, description="`totp`, `message` or `backup`, with `code`")
    code: str | None = Field(None, max_length=20)


def require_recent_auth(request: HttpRequest, password: str | None = None) -> None:
    """A sensitive change: signed in or re-authenticated within 10 minutes on this session, or (for
    programs with a bearer token, which have no session) the account's password sent along."""
    if password:
        mfa.reauthenticate(request=request, user=request.user, password=password, remember=False)  # type: ignore[arg-type]
        return
    if not mfa.recently_authenticated(request):
        raise PermissionDenied(
            _("Confirm it is you first (POST /api/v1/me/reauth with your password or a code)."),
            code="reauth_required",
        )


def _session_only(request: HttpRequest) -> None:
    if getattr(request, "api_token", None) is not None:
        message = _("Passkeys are managed from a signed-in browser session.")
        raise PermissionDenied(message, code="session_required")
    require_csrf(request)


def _audit(request: HttpRequest, summary: str) -> None:
    audit.record(
        actor=request.user, action=audit.SECURITY_CHANGE, target=request.user, summary=summary, request=request
    )


@me_router.post("/reauth", response={204: None, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def reauth(request: HttpRequest, payload: ReauthIn):
    """Confirm it is you (password, or a second-factor code) before a sensitive change (10 minutes)."""
    _session_only(request)
    mfa.reauthenticate(
        request=request,
        user=request.user,  # type: ignore[arg-type]
        password=payload.password,
        method=payload.method,
        code=payload.code,
    )
    return Status(204, None)


@me_router.post("/reauth/passkey/options", response={200: OptionsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def reauth_passkey_options(request: HttpRequest):
    """Confirm it is you with a passkey, step 1: options offering only your own passkeys."""
    _session_only(request)
    options = passkeys.authentication_options(request=request, user=request.user, purpose=passkeys.REAUTH)  # type: ignore[arg-type]
    return {"publicKey": options}


@me_router.post("/reauth/passkey", response={204: None, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def reauth_passkey(request: HttpRequest, payload: CredentialIn):
    """Step 2: the passkey's answer; sensitive changes are open for 10 minutes."""
    _session_only(request)
    ratelimit.check("otp.verify.account", f"user:{request.user.pk}")
    user = passkeys.authenticate(request=request, credential=payload.credential, purpose=passkeys.REAUTH)
    if user.pk != request.user.pk:  # cannot happen: the options named only this person's passkeys
        raise InvalidInput(_("The passkey could not be verified. Please try again."), code="passkey_invalid")
    mfa.mark_authenticated(request)
    return Status(204, None)


@me_router.get("/passkeys", response={200: list[PasskeyOut], 401: ErrorOut})
def list_passkeys(request: HttpRequest):
    return passkeys.list_for(request.user)  # type: ignore[arg-type]


@me_router.post("/passkeys/options", response={200: OptionsOut, 401: ErrorOut, 403: ErrorOut})
def passkey_registration_options(request: HttpRequest):
    """Step 1 of adding a passkey: options for `navigator.credentials.create` (valid 5 minutes)."""
    _session_only(request)
    require_recent_auth(request)
    return {"publicKey": passkeys.registration_options(user=request.user, request=request)}  # type: ignore[arg-type]


@me_router.post("/passkeys", response={201: NewPasskeyOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut})
def add_passkey(request: HttpRequest, payload: PasskeyIn):
    """Step 2: the authenticator's answer; the passkey is kept (audited)."""
    _session_only(request)
    require_recent_auth(request)
    passkey, backup = passkeys.register(
        user=request.user,  # type: ignore[arg-type]
        request=request,
        credential=payload.credential,
        name=payload.name,
    )
    _audit(request, f"passkey added: {passkey.name}")
    if backup:  # the page's script goes to the backup-codes page, which shows them once
        request.session["zizhu_new_backup_codes"] = backup
    return Status(201, {**PasskeyOut.from_orm(passkey).dict(), "backup_codes": backup})


@me_router.patch(
    "/passkeys/{passkey_id}", response={200: PasskeyOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def rename_passkey(request: HttpRequest, payload: RenameIn, passkey_id: int = Path(..., ge=1, le=2**62)):
    if getattr(request, "api_token", None) is None:
        require_csrf(request)
    return passkeys.rename(user=request.user, passkey_id=passkey_id, name=payload.name)  # type: ignore[arg-type]


@me_router.delete("/passkeys/{passkey_id}", response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def remove_passkey(request: HttpRequest, passkey_id: int = Path(..., ge=1, le=2**62)):
    """Remove a passkey (needs a recent sign-in or re-authentication; audited)."""
    _session_only(request)
    require_recent_auth(request)
    passkey = passkeys.remove(user=request.user, passkey_id=passkey_id)  # type: ignore[arg-type]
    _audit(request, f"passkey removed: {passkey.name}")
    return Status(204, None)


@auth_router.post("/passkey/options", response={200: OptionsOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut})
def passkey_signin_options(request: HttpRequest):
    """Options for `navigator.credentials.get`: any passkey of this site (sign-in without a name), or —
    half-way through a two-step sign-in — only the pending person's passkeys."""
    require_csrf(request)
    ratelimit.check("signin.ip", client_ip(request) or "unknown")
    user, _pending = mfa.pending_user(request)
    return {"publicKey": passkeys.authentication_options(request=request, user=user)}


@auth_router.post("/passkey", response={200: ProfileOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def passkey_signin(request: HttpRequest, payload: CredentialIn, response: HttpResponse):
    """Sign in with a passkey (a new session key); as the second step, finishes the pending sign-in."""
    from zizhu.accounts.views import apply_account_preferences

    require_csrf(request)
    ratelimit.check("otp.verify.ip", client_ip(request) or "unknown")
    user = signin_with_passkey(request, payload.credential)
    apply_account_preferences(request, response)  # the account's language and elder mode, as after a password
    return user


def signin_with_passkey(request: HttpRequest, credential: dict[str, Any] | str) -> User:
    """Shared by the API and the page: check the answer, then sign in (pending sign-in or none)."""
    pending_user, pending = mfa.pending_user(request)
    user = passkeys.authenticate(request=request, credential=credential)
    if pending_user is not None and pending_user.pk != user.pk:  # cannot happen: options were for this person
        raise InvalidInput(_("The passkey could not be verified. Please try again."), code="passkey_invalid")
    request.session.pop(mfa.PENDING, None)
    login(request, user, backend=pending.get("backend") or BACKEND)  # a new session key
    return user
