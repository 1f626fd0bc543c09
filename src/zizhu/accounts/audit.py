"""The audit log: an append-only record of sensitive actions (DESIGN.md §6).

Other apps call :func:`record` — payments for every refund, for example::

    from zizhu.accounts import audit
    audit.record(actor=staff, action="payment.refund", target=payment, summary="¥19.90", request=request)

Call it inside the transaction of the action it records, so both commit or neither does.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from zizhu.accounts.models import AuditRecord
from zizhu.core.logging import escape_line_breaks, request_id_var

logger = logging.getLogger("zizhu.audit")

# Actions written by this app (others name theirs "<app>.<verb>", e.g. "payment.refund").
PII_VIEW = "pii.view"
PII_EXPORT = "pii.export"
ROLES_CHANGE = "staff.roles_change"
STAFF_SIGN_IN = "staff.sign_in"
# A staff member set someone's password in the back office (an action name, not a secret).
PASSWORD_SET = "account.password_set"  # noqa: S105

# A customer changed how they sign in (second factors, backup codes, phrase, devices signed out).
SECURITY_CHANGE = "account.security_change"
# The sign-in e-mail or phone changed; the password was reset by text message; data downloaded; account deleted.
CONTACT_CHANGE = "account.contact_change"
PASSWORD_RESET = "account.password_reset"  # noqa: S105
DATA_EXPORT = "account.data_export"
ACCOUNT_DELETE = "account.delete"

SUMMARY_MAX = 2000


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or the address our own proxies saw when
    ``TRUSTED_PROXY_COUNT`` proxies stand in front (their X-Forwarded-For entries are trusted)."""
    if request is None:
        return None
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _label(actor: Any) -> str:
    """Staff by their (masked) name; a customer by id only, so that deleting the account leaves no
    name of theirs in this append-only log (zizhu.accounts.privacy)."""
    if actor is None:
        return ""
    return str(actor)[:150] if actor.is_staff else f"customer #{actor.pk}"


def _build(
    *, actor: Any, action: str, target_type: str, target_id: Any, summary: str, request: HttpRequest | None
) -> AuditRecord:
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    user_agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    request_id = getattr(request, "request_id", None) or request_id_var.get()
    return AuditRecord(
        actor=actor_obj,
        actor_label=_label(actor_obj),
        action=action[:60],
        target_type=str(target_type)[:100],
        target_id=str(target_id if target_id is not None else "")[:64],
        summary=str(summary)[:SUMMARY_MAX],
        ip=client_ip(request),
        user_agent=user_agent[:300],
        request_id="" if request_id == "-" else str(request_id)[:64],
    )


def _log(entry: AuditRecord) -> None:
    logger.info(
        "audit %s by %s on %s#%s: %s",
        entry.action,
        entry.actor_id or "-",
        entry.target_type or "-",
        entry.target_id or "-",
        escape_line_breaks(entry.summary[:200]),
    )


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    summary: str = "",
    request: HttpRequest | None = None,
) -> AuditRecord:
    """Append one audit record. ``target`` (a model instance) or ``target_type``/``target_id``."""
    if target is not None:
        target_type, target_id = target._meta.label_lower, target.pk
    entry = _build(
        actor=actor, action=action, target_type=target_type, target_id=target_id, summary=summary, request=request
    )
    entry.save()
    _log(entry)
    return entry


def record_many(
    *, actor: Any, action: str, targets: list[models.Model], summary: str = "", request: HttpRequest | None = None
) -> list[AuditRecord]:
    """One record per target, written in one statement (e.g. a page listing many people)."""
    entries = [
        _build(
            actor=actor,
            action=action,
            target_type=target._meta.label_lower,
            target_id=target.pk,
            summary=summary,
            request=request,
        )
        for target in targets
    ]
    AuditRecord.objects.bulk_create(entries)
    for entry in entries:
        _log(entry)
    return entries
