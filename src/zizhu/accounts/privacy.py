"""Privacy: "download my data" (JSON files in a zip) and "delete my account".

``accounts`` sits near the bottom of the layer order and must not import the apps above it, so each
app registers its own part from its ``AppConfig.ready()``::

    from zizhu.accounts import privacy
    privacy.register_exporter("orders", export_orders)   # fn(user) -> anything JSON can hold
    privacy.register_eraser(anonymise_orders)            # fn(user) -> None, inside the deletion's transaction

Deleting an account: the erasers of every app run first (orders keep their lines and amounts for
accounting, their contact and address snapshot erased), then every session ends and the person's
row is deleted — tables that belong to the person (addresses, favourites, history, passkeys, second
factors, tokens) go with it, links kept for accounting (orders, payments, behaviour events) become
empty. The audit log keeps one ``account.delete`` record naming the account only by its id.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from zizhu.accounts.models import User

Exporter = Callable[[User], Any]
Eraser = Callable[[User], None]

_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}


def register_exporter(name: str, fn: Exporter) -> None:
    """``name`` becomes ``<name>.json`` in the download. Registering a name again replaces it."""
    _exporters[name] = fn


def register_eraser(fn: Eraser) -> None:
    """Called with the person inside the deletion's transaction, before their row is deleted."""
    _erasers[f"{fn.__module__}.{fn.__qualname__}"] = fn


def sections() -> list[str]:
    return list(_exporters)


def collect(user: User) -> dict[str, Any]:
    """Every registered section for ``user`` (the person's own data only)."""
    return {name: fn(user) for name, fn in _exporters.items()}


def export_zip(*, user: User, request: HttpRequest | None = None) -> bytes:
    """The person's data as a zip of JSON files, one per section (audited)."""
    from zizhu.accounts import audit

    data = collect(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        index = {"exported_at": timezone.now(), "account_id": user.pk, "sections": sorted(data)}
        archive.writestr("index.json", _dump(index))
        for name, section in data.items():
            archive.writestr(f"{name}.json", _dump(section))
    audit.record(actor=user, action=audit.DATA_EXPORT, target=user, summary=", ".join(sorted(data)), request=request)
    return buffer.getvalue()


def _dump(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def delete_account(*, user: User, request: HttpRequest | None = None) -> None:
    """Erase the person's data everywhere (see the module's note); they can no longer sign in."""
    from django.utils.translation import gettext as _

    from zizhu.accounts import audit, devices, messaging
    from zizhu.core.errors import PermissionDenied

    if user.is_staff or user.is_superuser:  # their audit trail and roles are the shop's: an admin closes them
        raise PermissionDenied(_("A staff account is closed by an administrator, not deleted here."))
    user_id = user.pk
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user_id)
        audit.record(actor=locked, action=audit.ACCOUNT_DELETE, target=locked, summary="", request=request)
        for eraser in _erasers.values():
            eraser(locked)
        devices.end_others(locked, keep_key=None)
        notice = {
            "email": locked.email,
            "phone": locked.phone,
            "language": locked.language,
            "phrase": locked.anti_phishing_phrase,
        }
        locked.delete()
        # Told once it is done (never from inside the transaction): a deletion nobody asked for stands out.
        transaction.on_commit(lambda: messaging.send_account_deleted_notice(**notice))
    user.pk = user_id  # the caller's object keeps its id (for messages and redirects)


# --- what accounts itself holds ----------------------------------------------------------------------


def _export_profile(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "phone": user.phone,
        "display_name": user.display_name,
        "language": user.language,
        "elder_mode": user.elder_mode,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "anti_phishing_phrase": user.anti_phishing_phrase,
    }


def _export_sign_in(user: User) -> dict[str, Any]:
    from zizhu.accounts import devices, mfa
    from zizhu.accounts.models import ApiToken, Passkey

    return {
        "second_factors": mfa.all_methods(user),
        "codes_by_message": user.otp_channel,
        "passkeys": list(Passkey.objects.filter(user=user).values("name", "created_at", "last_used_at", "backed_up")),
        "api_tokens": list(
            ApiToken.objects.filter(user=user).values("name", "prefix", "created_at", "last_used_at", "revoked_at")
        ),
        "devices": [
            {
                "device": str(devices.describe_device(row.user_agent)),
                "user_agent": row.user_agent,
                "signed_in": row.created_at,
                "last_seen": row.last_seen_at,
            }
            for row in devices.active_sessions(user)
        ],
    }


def _export_account_history(user: User) -> list[dict[str, Any]]:
    """Changes to the account's own sign-in settings (from the audit log)."""
    from zizhu.accounts.models import AuditRecord

    rows = AuditRecord.objects.filter(target_type="accounts.user", target_id=str(user.pk), actor_id=user.pk)
    return list(rows.order_by("at").values("at", "action", "summary", "ip", "user_agent")[:1000])


def _erase_traces(user: User) -> None:
    """Rows that name the person as text rather than by a link: lockout counters, pending sign-ups,
    stored API answers of idempotent requests (an order's answer holds its contact and address)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from zizhu.accounts.models import OneTimeCode
    from zizhu.core.models import IdempotencyKey

    IdempotencyKey.objects.filter(owner=f"user:{user.pk}").delete()

    logins = [value for value in (user.email, user.phone) if value]
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__in=logins).delete()
    for code in OneTimeCode.objects.filter(user__isnull=True, purpose=OneTimeCode.Purpose.SIGN_UP):
        try:  # the payload is encrypted: read each pending sign-up (few, they expire in minutes)
            value = json.loads(code.payload or "{}").get("value")
        except ValueError:
            continue
        if value in logins:
            code.delete()


register_exporter("profile", _export_profile)
register_exporter("sign_in", _export_sign_in)
register_exporter("account_history", _export_account_history)
register_eraser(_erase_traces)
