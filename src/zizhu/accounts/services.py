"""Account services: the only code that changes accounts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.accounts import audit, codes, messaging
from zizhu.accounts.logins import parse_login
from zizhu.accounts.models import ApiToken, OneTimeCode, User, UserSession
from zizhu.accounts.roles import ROLES, require_permission, role_names
from zizhu.accounts.tokens import generate_token
from zizhu.core import events
from zizhu.core.errors import InvalidInput, NotFound, PermissionDenied

MAX_ACTIVE_TOKENS = 20


def _field_error(field: str, error: ValidationError | str) -> InvalidInput:
    messages = error.messages if isinstance(error, ValidationError) else [error]
    return InvalidInput(messages[0], fields={field: list(messages)})


def sign_up(*, login: str, password: str, display_name: str = "", language: str = "zh-hans") -> User:
    """Create a customer account from an e-mail address or a mainland mobile number."""
    try:
        parsed = parse_login(login)
    except ValidationError as exc:
        raise _field_error("login", exc) from None
    display_name = display_name.strip()[:60]
    candidate = User(**{parsed.kind: parsed.value}, display_name=display_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise _field_error("password", exc) from None
    if language not in User.Language.values:
        language = User.Language.CHINESE
    candidate.language = language
    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save()
            events.emit("account.created", {"user_id": candidate.pk})
    except IntegrityError:
        raise _field_error("login", _("An account with this e-mail address or mobile number already exists.")) from None
    return candidate


def start_sign_up(
    *, login: str, password: str, display_name: str = "", language: str = "zh-hans", ip: str | None = None
) -> OneTimeCode:
    """First step of sign-up: the same answer whether the login already has an account or not.

    A new login gets a confirmation code by e-mail or SMS; the account is created only when the
    code comes back (``confirm_sign_up``). A login that already has an account gets a notice sent
    to its owner instead, and a pending code that nobody receives. Both cost one password hash,
    one database row and one message.
    """
    try:
        parsed = parse_login(login)
    except ValidationError as exc:
        raise _field_error("login", exc) from None
    display_name = display_name.strip()[:60]
    candidate = User(**{parsed.kind: parsed.value}, display_name=display_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise _field_error("password", exc) from None
    if language not in User.Language.values:
        language = User.Language.CHINESE
    codes.limit_sends(account=parsed.value, ip=ip)
    payload = json.dumps(
        {
            "kind": parsed.kind,
            "value": parsed.value,
            "password": make_password(password),
            "display_name": display_name,
            "language": language,
        }
    )
    channel = OneTimeCode.Channel.SMS if parsed.kind == "phone" else OneTimeCode.Channel.EMAIL
    owner = User.objects.filter(**{parsed.kind: parsed.value}).first()
    if owner is not None:
        pending = codes.decoy(
            purpose=OneTimeCode.Purpose.SIGN_UP, channel=channel, payload=payload, ttl=codes.SIGN_UP_TTL
        )
        messaging.send_sign_up_notice(channel=channel, to=parsed.value, language=owner.language, user=owner)
    else:
        pending, raw = codes.issue(
            purpose=OneTimeCode.Purpose.SIGN_UP, channel=channel, payload=payload, ttl=codes.SIGN_UP_TTL
        )
        minutes = int(codes.SIGN_UP_TTL.total_seconds() // 60)
        messaging.send_code(channel=channel, to=parsed.value, code=raw, language=language, minutes=minutes)
    return pending


def confirm_sign_up(*, pending_id: int, code: str) -> User:
    """Second step of sign-up: the code from the message creates the account."""
    pending = codes.verify(purpose=OneTimeCode.Purpose.SIGN_UP, raw=code, code_id=pending_id)
    data = json.loads(pending.payload)
    user = User(**{data["kind"]: data["value"]}, display_name=data["display_name"], language=data["language"])
    user.password = data["password"]
    try:
        with transaction.atomic():
            user.save()
            events.emit("account.created", {"user_id": user.pk})
    except IntegrityError:  # someone else confirmed the same login in between
        raise _field_error("code", _("This code has expired or was already used. Ask for a new one.")) from None
    return user


def update_profile(
    *, user: User, display_name: str | None = None, language: str | None = None, elder_mode: bool | None = None
) -> User:
    changed: list[str] = []
    if display_name is not None:
        user.display_name = display_name.strip()[:60]
        changed.append("display_name")
    if language is not None:
        if language not in User.Language.values:
            raise _field_error("language", _("Choose one of the offered languages."))
        user.language = language
        changed.append("language")
    if elder_mode is not None:
        user.elder_mode = bool(elder_mode)
        changed.append("elder_mode")
    if changed:
        user.save(update_fields=changed)
    return user


def set_elder_mode(*, user: User, enabled: bool) -> User:
    return update_profile(user=user, elder_mode=enabled)


def create_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a bearer token; the raw secret is returned once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise _field_error("name", _("Give the token a name of 1 to 60 characters."))
    with transaction.atomic():
        active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
        if len(active) >= MAX_ACTIVE_TOKENS:
            raise _field_error("name", _("You already have the maximum number of tokens. Revoke one first."))
        raw, prefix, key_hash = generate_token()
        token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=key_hash)
    return token, raw


def revoke_api_token(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; another user's token id is simply not found."""
    token = ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound(_("No such active token."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def touch_api_token(*, token: ApiToken) -> None:
    """Record use at most once a minute, so busy programs do not write on every call."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def set_staff_roles(*, actor: Any, member_id: int, roles: Iterable[str], request: HttpRequest | None = None) -> User:
    """Give a staff member exactly ``roles`` (audited). Staff status follows: no role, no back office.

    Needs ``accounts.change_roles``; nobody changes their own roles, and only a superuser may
    change a superuser's.
    """
    require_permission(actor, "accounts.change_roles")
    wanted = sorted(set(roles))
    unknown = [role for role in wanted if role not in ROLES]
    if unknown:
        raise _field_error("roles", _("Unknown role: %(role)s.") % {"role": ", ".join(unknown)})
    with transaction.atomic():
        member = User.objects.select_for_update().filter(pk=member_id).first()
        if member is None:
            raise NotFound(_("No such person."))
        if member.pk == actor.pk:
            raise PermissionDenied(_("You cannot change your own roles. Ask another administrator."))
        if member.is_superuser and not actor.is_superuser:
            raise PermissionDenied(_("Only a superuser can change the roles of a superuser."))
        before = role_names(member)
        member.groups.remove(*Group.objects.filter(name__in=ROLES).exclude(name__in=wanted))
        member.groups.add(*Group.objects.filter(name__in=wanted))
        is_staff = bool(wanted) or member.is_superuser
        if member.is_staff != is_staff:
            member.is_staff = is_staff
            member.save(update_fields=["is_staff"])
        if before != wanted:
            audit.record(
                actor=actor,
                action=audit.ROLES_CHANGE,
                target=member,
                summary=f"{', '.join(before) or '-'} → {', '.join(wanted) or '-'}",
                request=request,
            )
    return member


def sign_out_device(*, user: User, device_id: int) -> None:
    """End one of the user's own sessions; another person's session id is simply not found."""
    from zizhu.accounts import devices

    row = UserSession.objects.filter(user=user, pk=device_id).first()
    if row is None:
        raise NotFound(_("No such signed-in device."))
    devices.end([row])


def sign_out_other_devices(*, user: User, current_session_key: str | None) -> int:
    from zizhu.accounts import devices

    return devices.end_others(user, keep_key=current_session_key)


PHRASE_MAX = 40


def set_anti_phishing_phrase(*, user: User, phrase: str) -> User:
    """Set (or clear with "") the private phrase; 2 to 40 characters, no control characters."""
    phrase = " ".join((phrase or "").split())
    if (phrase and not (2 <= len(phrase) <= PHRASE_MAX)) or any(ord(ch) < 32 for ch in phrase):
        raise _field_error("phrase", _("Use 2 to 40 characters."))
    user.anti_phishing_phrase = phrase or None
    user.save(update_fields=["anti_phishing_phrase"])
    return user
