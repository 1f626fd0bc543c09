"""Changing the sign-in e-mail or mobile number, and resetting the password by text message.

* A new e-mail address or number counts only once a code sent **to it** comes back (the code is an
  ``OneTimeCode`` of purpose ``contact``, its payload — the new value — encrypted). The old address
  is told. Other sessions stay signed in (the person is the same; the password did not change).
* An address already used by another account gets a notice instead of a code, and the pending code
  matches nothing: the answer is the same, so nobody learns whose address it is.
* A reset by text message answers the same for known and unknown numbers (a decoy code for an
  unknown one), never signs in, and ends every session: the next sign-in asks for any second factor.
"""

from __future__ import annotations

import json

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from zizhu.accounts import audit, codes, messaging
from zizhu.accounts.audit import client_ip
from zizhu.accounts.logins import parse_login, parse_mainland_mobile
from zizhu.accounts.masking import mask_email, mask_phone
from zizhu.accounts.models import OneTimeCode, User
from zizhu.core.errors import InvalidInput

EMAIL = "email"
PHONE = "phone"


def _error(field: str, message: str, code: str = "invalid") -> InvalidInput:
    return InvalidInput(message, fields={field: [message]}, code=code)


def _expired() -> InvalidInput:
    return _error("code", _("This code has expired or was already used. Ask for a new one."), "code_expired")


def _parse(kind: str, raw: str) -> str:
    field = "email" if kind == EMAIL else "phone"
    try:
        login = parse_login(raw or "")
    except ValidationError as exc:
        raise _error(field, exc.messages[0]) from None
    if login.kind != kind:
        wanted = _("Enter a valid e-mail address.") if kind == EMAIL else _("Enter a mainland China mobile number.")
        raise _error(field, wanted)
    return login.value


def start_change(*, user: User, kind: str, value: str, request: HttpRequest | None = None) -> str:
    """Send a code to the new address or number; returns the value as it will be stored."""
    if kind not in (EMAIL, PHONE):
        raise _error("kind", _("Choose e-mail or mobile number."))
    new = _parse(kind, value)
    if new == getattr(user, kind):
        field = "email" if kind == EMAIL else "phone"
        raise _error(field, _("This is already your sign-in address."), "unchanged")
    codes.limit_sends(account=f"user:{user.pk}", ip=client_ip(request))
    channel = OneTimeCode.Channel.EMAIL if kind == EMAIL else OneTimeCode.Channel.SMS
    payload = json.dumps({"kind": kind, "value": new})
    _code, raw = codes.issue(purpose=OneTimeCode.Purpose.CONTACT, channel=channel, user=user, payload=payload)
    owner = User.objects.filter(**{kind: new}).exclude(pk=user.pk).first()
    if owner is not None:  # the code goes nowhere; its owner hears about the attempt
        messaging.send_contact_taken_notice(kind=kind, to=new, owner=owner)
    else:
        minutes = int(codes.CODE_TTL.total_seconds() // 60)
        messaging.send_code(channel=channel, to=new, code=raw, language=user.language, user=user, minutes=minutes)
    return new


def confirm_change(*, user: User, kind: str, code: str, request: HttpRequest | None = None) -> User:
    """The code from the new address: the change takes effect (blind index too), the old one is told."""
    pending = codes.verify(purpose=OneTimeCode.Purpose.CONTACT, raw=code, user=user)
    data = json.loads(pending.payload or "{}")
    if data.get("kind") != kind:
        raise _expired()
    old = getattr(user, kind)
    try:
        with transaction.atomic():
            setattr(user, kind, data["value"])
            user.save(update_fields=[kind])  # the phone's blind index follows (User.save)
            summary = "e-mail address changed" if kind == EMAIL else "mobile number changed"
            audit.record(actor=user, action=audit.CONTACT_CHANGE, target=user, summary=summary, request=request)
    except IntegrityError:  # taken in between by someone else
        user.refresh_from_db()
        raise _expired() from None
    if old:
        masked = mask_email(data["value"]) if kind == EMAIL else mask_phone(data["value"])
        messaging.send_contact_changed_notice(kind=kind, old=old, masked_new=masked, user=user)
    return user


# --- password reset by text message -------------------------------------------------------------------


def start_sms_reset(*, phone: str, request: HttpRequest | None = None) -> OneTimeCode:
    """A code by SMS to the account with this number — or, for an unknown number, a decoy that matches
    nothing. The caller answers the same either way (and pads the time: ``protection.equal_time``)."""
    number = parse_mainland_mobile(phone or "")
    if number is None:
        raise _error("phone", _("Enter a mainland China mobile number."))
    codes.limit_sends(account=number, ip=client_ip(request))
    owner = User.objects.filter(phone=number, is_active=True).first()
    if owner is None:
        return codes.decoy(purpose=OneTimeCode.Purpose.RESET, channel=OneTimeCode.Channel.SMS)
    pending, raw = codes.issue(purpose=OneTimeCode.Purpose.RESET, channel=OneTimeCode.Channel.SMS, user=owner)
    minutes = int(codes.CODE_TTL.total_seconds() // 60)
    messaging.send_code(channel="sms", to=number, code=raw, language=owner.language, user=owner, minutes=minutes)
    return pending


def finish_sms_reset(*, code_id: int, code: str, password: str, request: HttpRequest | None = None) -> User:
    """Set a new password with the code (once). Does not sign in; every session of the account ends."""
    from zizhu.accounts import devices

    row = OneTimeCode.objects.filter(pk=code_id, purpose=OneTimeCode.Purpose.RESET).select_related("user").first()
    try:  # checked before the code is used, so a weak password does not burn it
        validate_password(password, user=row.user if row is not None else None)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], fields={"password": list(exc.messages)}) from None
    used = codes.verify(purpose=OneTimeCode.Purpose.RESET, raw=code, code_id=code_id)
    user = User.objects.filter(pk=used.user_id, is_active=True).first() if used.user_id else None
    if user is None:
        raise _expired()
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor=user, action=audit.PASSWORD_RESET, target=user, summary="by text message", request=request)
    devices.end_others(user, keep_key=None)
    return user
