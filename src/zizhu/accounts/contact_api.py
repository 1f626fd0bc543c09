"""API: change the sign-in e-mail or mobile number, reset the password by text message.

Routes hang on the accounts routers; this module is imported by ``zizhu.accounts.api``.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from zizhu.accounts import contact, protection
from zizhu.accounts.api import PendingOut, ProfileOut, auth_router, me_router
from zizhu.accounts.auth import require_csrf
from zizhu.accounts.passkey_api import require_recent_auth
from zizhu.core.api_errors import ErrorOut
from zizhu.core.errors import InvalidInput

PENDING_RESET = "zizhu_sms_reset"
SENT = {"code": "code_sent"}


class NewEmailIn(Schema):
    email: str = Field(..., max_length=254)
    password: str | None = Field(None, max_length=128, description="Needed without a recent sign-in (programs)")


class NewPhoneIn(Schema):
    phone: str = Field(..., max_length=20, description="Mainland China mobile number")
    password: str | None = Field(None, max_length=128, description="Needed without a recent sign-in (programs)")


class CodeIn(Schema):
    code: str = Field(..., max_length=12, description="The 6-digit code sent to the new address or number")


class SmsResetIn(Schema):
    phone: str = Field(..., max_length=20)


class SmsResetConfirmIn(Schema):
    code: str = Field(..., max_length=12)
    password: str = Field(..., max_length=128, description="The new password")


def _csrf_for_sessions(request: HttpRequest) -> None:
    if getattr(request, "api_token", None) is None:
        require_csrf(request)


def _start(request: HttpRequest, kind: str, value: str, password: str | None):
    _csrf_for_sessions(request)
    require_recent_auth(request, password)
    contact.start_change(user=request.user, kind=kind, value=value, request=request)  # type: ignore[arg-type]
    message = _("If it can be used, we sent a code to it. It is valid for 5 minutes.")
    return Status(202, {**SENT, "message": message})


def _confirm(request: HttpRequest, kind: str, code: str):
    _csrf_for_sessions(request)
    protection.guard(request, "otp.verify", f"user:{request.user.pk}")
    return contact.confirm_change(user=request.user, kind=kind, code=code, request=request)  # type: ignore[arg-type]


START = {202: PendingOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut}
CONFIRM = {200: ProfileOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@me_router.post("/email", response=START)
def change_email(request: HttpRequest, payload: NewEmailIn):
    """Step 1: a code goes to the new address (re-authentication needed). Step 2: POST /me/email/confirm."""
    return _start(request, contact.EMAIL, payload.email, payload.password)


@me_router.post("/email/confirm", response=CONFIRM)
def confirm_email(request: HttpRequest, payload: CodeIn):
    """The code from the new address: the change takes effect and the old address is told."""
    return _confirm(request, contact.EMAIL, payload.code)


@me_router.post("/phone", response=START)
def change_phone(request: HttpRequest, payload: NewPhoneIn):
    """Step 1: a code goes to the new number by SMS (re-authentication needed). Step 2: POST /me/phone/confirm."""
    return _start(request, contact.PHONE, payload.phone, payload.password)


@me_router.post("/phone/confirm", response=CONFIRM)
def confirm_phone(request: HttpRequest, payload: CodeIn):
    return _confirm(request, contact.PHONE, payload.code)


@auth_router.post("/password/reset/sms", response={202: PendingOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def sms_reset(request: HttpRequest, payload: SmsResetIn):
    """Reset by text message, step 1: the same answer (and time) whether an account has the number or not."""
    require_csrf(request)
    with protection.equal_time("reset"):
        protection.guard(request, "reset", payload.phone)
        pending = contact.start_sms_reset(phone=payload.phone, request=request)
        request.session[PENDING_RESET] = {"id": pending.pk}
    message = _("If an account has this mobile number, we sent a code to it. It is valid for 5 minutes.")
    return Status(202, {**SENT, "message": message})


@auth_router.post("/password/reset/sms/confirm", response={204: None, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def sms_reset_confirm(request: HttpRequest, payload: SmsResetConfirmIn):
    """Step 2: the code and the new password. Does not sign in; every session of the account ends."""
    require_csrf(request)
    pending = request.session.get(PENDING_RESET) or {}
    if not pending:
        message = _("This code has expired or was already used. Ask for a new one.")
        raise InvalidInput(message, fields={"code": [message]}, code="code_expired")
    protection.guard(request, "otp.verify", f"reset:{pending['id']}")
    contact.finish_sms_reset(code_id=pending["id"], code=payload.code, password=payload.password, request=request)
    request.session.pop(PENDING_RESET, None)
    return Status(204, None)
