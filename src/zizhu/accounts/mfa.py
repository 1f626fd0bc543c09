"""Second factors: an authenticator app (TOTP), backup codes, and one-time codes by e-mail or SMS.

* TOTP and backup codes are django-otp devices (``TOTPDevice``, ``StaticDevice``). django-otp keeps
  the last time step a TOTP code was used (``last_t``), so a code is never accepted twice, and
  throttles wrong guesses.
* Codes by e-mail/SMS are ``OneTimeCode`` rows (``zizhu.accounts.codes``): 5 minutes, single use,
  5 wrong guesses burn them, sends limited to 1 a minute and 5 an hour per account.
* Sign-in with a factor is two steps: the password step stores ``PENDING`` in the session (no user
  signed in), the second step calls ``django.contrib.auth.login`` (a new session key).
* Re-authentication: ``AUTH_AT`` (set at every sign-in and re-authentication) must be within
  ``REAUTH_WINDOW`` before changing e-mail, phone, password, factors or the anti-phishing phrase.
"""

from __future__ import annotations

import secrets
import time
from base64 import b32encode
from typing import Any
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from zizhu.accounts import codes, messaging
from zizhu.accounts.audit import client_ip
from zizhu.accounts.models import OneTimeCode, Passkey, User
from zizhu.core import ratelimit
from zizhu.core.errors import InvalidInput

PENDING = "zizhu_mfa_pending"
AUTH_AT = "zizhu_auth_at"
PENDING_MAX_AGE = 10 * 60
REAUTH_WINDOW = 10 * 60
BACKUP_CODE_COUNT = 10
BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i

TOTP = "totp"
BACKUP = "backup"
MESSAGE = "message"
PASSKEY = "passkey"


# --- what a person has ---------------------------------------------------------------------------


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def methods(user: User) -> list[str]:
    """The second-factor methods this person can use now by typing a code (see ``all_methods``)."""
    found = []
    if totp_device(user) is not None:
        found.append(TOTP)
    if user.otp_channel:
        found.append(MESSAGE)
    if (found or has_passkey(user)) and backup_codes_left(user):
        found.append(BACKUP)
    return found


def has_passkey(user: User) -> bool:
    return Passkey.objects.filter(user=user).exists()


def all_methods(user: User) -> list[str]:
    """Every second-factor method, with ``passkey`` (answered by the browser, not by a typed code)."""
    return ([PASSKEY] if has_passkey(user) else []) + methods(user)


def has_second_factor(user: User) -> bool:
    return bool(user.otp_channel) or totp_device(user) is not None or has_passkey(user)


# --- checking a code ------------------------------------------------------------------------------


def _wrong(message: str | None = None, code: str = "code_wrong") -> InvalidInput:
    text = message or _("The code is not correct.")
    return InvalidInput(text, fields={"code": [text]}, code=code)


def verify(*, user: User, method: str, code: str, request: HttpRequest | None = None) -> None:
    """Raise InvalidInput unless ``code`` is a valid second factor of ``user`` by ``method``."""
    ratelimit.check("otp.verify.ip", client_ip(request) or "unknown")
    ratelimit.check("otp.verify.account", f"user:{user.pk}")
    code = (code or "").strip().replace(" ", "").replace("-", "").lower()
    if method == TOTP:
        device = totp_device(user)
        if device is None:
            raise _wrong()
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            raise _wrong(_("Too many wrong codes. Wait a minute and try again."), code="code_throttled")
        if not (code.isdigit() and device.verify_token(code)):  # rejects a replayed code (last_t)
            raise _wrong()
    elif method == BACKUP:
        if not any(device.verify_token(code) for device in StaticDevice.objects.filter(user=user, confirmed=True)):
            raise _wrong()
    elif method == MESSAGE:
        if not user.otp_channel:
            raise _wrong()
        codes.verify(purpose=OneTimeCode.Purpose.SIGN_IN, raw=code, user=user)
    else:
        raise _wrong()


def verify_any(*, user: User, code: str, request: HttpRequest | None = None) -> None:
    """For programs (token creation): an authenticator code or a backup code."""
    cleaned = (code or "").strip().replace(" ", "")
    method = TOTP if cleaned.isdigit() and len(cleaned) == 6 and totp_device(user) else BACKUP
    verify(user=user, method=method, code=cleaned, request=request)


def send_code(*, user: User, request: HttpRequest | None = None, purpose: str = OneTimeCode.Purpose.SIGN_IN) -> str:
    """Send a sign-in code by the person's chosen channel; returns the channel."""
    channel = user.otp_channel or (OneTimeCode.Channel.EMAIL if user.email else OneTimeCode.Channel.SMS)
    destination = user.email if channel == OneTimeCode.Channel.EMAIL else user.phone
    if not destination:
        raise InvalidInput(_("There is nowhere to send a code."), code="no_channel")
    codes.limit_sends(account=f"user:{user.pk}", ip=client_ip(request))
    _code, raw = codes.issue(purpose=purpose, channel=channel, user=user)
    minutes = int(codes.CODE_TTL.total_seconds() // 60)
    messaging.send_code(channel=channel, to=destination, code=raw, language=user.language, user=user, minutes=minutes)
    return channel


# --- enrolment --------------------------------------------------------------------------------------


def start_totp(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator (earlier unconfirmed ones are dropped)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


def pending_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def confirm_totp(*, user: User, code: str) -> list[str]:
    """Confirm the new authenticator with a code from it; returns new backup codes when none exist."""
    device = pending_totp(user)
    code = (code or "").strip().replace(" ", "")
    if device is None or not (code.isdigit() and device.verify_token(code)):
        raise _wrong()
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # one authenticator at a time
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return new_backup_codes(user=user) if not backup_codes_left(user) else []


def remove_totp(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    if not user.otp_channel and not has_passkey(user):
        StaticDevice.objects.filter(user=user).delete()


def set_message_factor(*, user: User, channel: str) -> list[str]:
    """Turn codes by e-mail or SMS on (``channel``) or off (``""``); returns new backup codes if none."""
    if channel and channel not in OneTimeCode.Channel.values:
        raise InvalidInput(_("Choose e-mail or text message."))
    if channel == OneTimeCode.Channel.EMAIL and not user.email:
        raise InvalidInput(_("Your account has no e-mail address."), fields={"channel": [_("No e-mail address.")]})
    if channel == OneTimeCode.Channel.SMS and not user.phone:
        raise InvalidInput(_("Your account has no mobile number."), fields={"channel": [_("No mobile number.")]})
    user.otp_channel = channel
    user.save(update_fields=["otp_channel"])
    if not channel and totp_device(user) is None and not has_passkey(user):
        StaticDevice.objects.filter(user=user).delete()
        return []
    return new_backup_codes(user=user) if channel and not backup_codes_left(user) else []


def new_backup_codes(*, user: User) -> list[str]:
    """Ten new single-use backup codes (the old ones stop working); shown once."""
    fresh = ["".join(secrets.choice(BACKUP_ALPHABET) for _ in range(10)) for _ in range(BACKUP_CODE_COUNT)]
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
        device.token_set.all().delete()
        StaticToken.objects.bulk_create([StaticToken(device=device, token=token) for token in fresh])
    return [f"{token[:5]}-{token[5:]}" for token in fresh]


def config_url(device: TOTPDevice) -> str:
    """otpauth:// URL (Key URI format) labelled with the shop and the login as its owner sees it."""
    issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "Zizhu")).replace(":", "")
    label = quote(f"{issuer}:{device.user.login_display}")
    secret = b32encode(device.bin_key).decode().rstrip("=")
    query = urlencode({"secret": secret, "algorithm": "SHA1", "digits": device.digits, "period": device.step})
    return f"otpauth://totp/{label}?{query}&issuer={quote(issuer)}"


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG, drawn here (no external service sees the secret)."""
    return segno.make(config_url(device), error="m").svg_inline(scale=5, border=2, title=_("QR code"))


def manual_key(device: TOTPDevice) -> str:
    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


# --- sessions ------------------------------------------------------------------------------------------


def start_pending(request: HttpRequest, user: User, *, backend: str, next_url: str = "") -> None:
    """After the password step: remember who is half-way, on a new session key, signed in as nobody."""
    request.session.cycle_key()
    request.session[PENDING] = {"user_id": user.pk, "backend": backend, "next": next_url, "at": time.time()}


def pending_user(request: HttpRequest) -> tuple[User | None, dict[str, Any]]:
    data = request.session.get(PENDING) or {}
    if not data or time.time() - float(data.get("at", 0)) > PENDING_MAX_AGE:
        return None, {}
    return User.objects.filter(pk=data["user_id"], is_active=True).first(), data


def mark_authenticated(request: HttpRequest) -> None:
    request.session[AUTH_AT] = time.time()


def reauthenticate(
    *,
    request: HttpRequest,
    user: User,
    password: str | None = None,
    method: str | None = None,
    code: str | None = None,
    remember: bool = True,
) -> None:
    """Confirm it is ``user`` before a sensitive change: their password, or a second-factor code.

    Counted like a sign-in attempt (the same limits). Raises InvalidInput naming the field. With
    ``remember`` the session counts as recently authenticated (programs with a bearer token have no
    session: they send the password with each sensitive call)."""
    from zizhu.accounts import protection  # protection imports logins, which imports this module's peers

    protection.guard(request, "signin", user.get_username() or f"user:{user.pk}")
    if password:
        if not user.check_password(password):
            message = _("The password is not correct.")
            raise InvalidInput(message, fields={"password": [message]}, code="password_wrong")
    elif code and method:
        verify(user=user, method=method, code=code, request=request)
    else:
        message = _("Enter your password or a code.")
        raise InvalidInput(message, fields={"password": [message]})
    if remember:
        mark_authenticated(request)


def recently_authenticated(request: HttpRequest) -> bool:
    at = request.session.get(AUTH_AT)
    return at is not None and time.time() - float(at) <= REAUTH_WINDOW
