from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.accounts.logins import normalize_email, parse_mainland_mobile
from zizhu.accounts.models import ApiToken, AuditRecord, User
from zizhu.accounts.roles import require_permission
from zizhu.accounts.tokens import hash_token
from zizhu.core.errors import NotFound


def list_api_tokens(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def get_active_token(*, raw: str) -> ApiToken | None:
    """The active token matching ``raw``, with its user, or None."""
    if not raw or len(raw) > 200:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def users_for_staff(*, viewer: Any, query: str = "") -> QuerySet[User]:
    """People, newest first, for staff with ``accounts.view_user``. ``query``: a mobile number
    (exact, through the blind index), an e-mail address (exact) or part of a name."""
    require_permission(viewer, "accounts.view_user")
    users = User.objects.prefetch_related("groups").order_by("-date_joined", "-id")
    query = (query or "").strip()[:254]
    if not query:
        return users
    phone = parse_mainland_mobile(query)
    if phone:
        return users.filter(phone=phone)
    if "@" in query:
        return users.filter(email=normalize_email(query))
    return users.filter(display_name__icontains=query)


def user_for_staff(*, viewer: Any, user_id: int) -> User:
    require_permission(viewer, "accounts.view_user")
    user = User.objects.prefetch_related("groups").filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("No such person."))
    return user


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_records(
    *,
    viewer: Any,
    actor: str = "",
    action: str = "",
    target_type: str = "",
    target_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditRecord]:
    """The audit log for staff with ``accounts.view_auditrecord``, newest first, filtered.

    ``actor``: a user id, an e-mail address or a mobile number; ``date_to`` is inclusive (shop time).
    """
    require_permission(viewer, "accounts.view_auditrecord")
    records = AuditRecord.objects.order_by("-at", "-id")
    actor = (actor or "").strip()
    if actor:
        if actor.isdigit() and len(actor) < 11:
            records = records.filter(actor_id=int(actor))
        else:
            phone = parse_mainland_mobile(actor)
            who = User.objects.filter(phone=phone) if phone else User.objects.filter(email=normalize_email(actor))
            records = records.filter(actor_id__in=who.values("pk"))
    if action:
        records = records.filter(action=action.strip())
    if target_type:
        records = records.filter(target_type=target_type.strip().lower())
    if target_id:
        records = records.filter(target_id=str(target_id).strip())
    if date_from:
        records = records.filter(at__gte=_day_start(date_from))
    if date_to:
        records = records.filter(at__lt=_day_start(date_to + timedelta(days=1)))
    return records


def audit_actions() -> list[str]:
    return list(AuditRecord.objects.order_by("action").values_list("action", flat=True).distinct())
