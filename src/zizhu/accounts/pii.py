"""Personal data as staff see it: masked without ``accounts.view_pii``; every unmasked view audited.

Every face that shows people to staff (back office, staff API, exports) goes through
:func:`people_for_staff`, which decides the masking and writes one audit record per person shown
unmasked. Later apps (addresses, passengers) use :func:`mask_for` the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest

from zizhu.accounts import audit
from zizhu.accounts.masking import mask_address, mask_email, mask_phone
from zizhu.accounts.models import User
from zizhu.accounts.roles import has_permission, role_names

VIEW_PII = "accounts.view_pii"
MASKERS = {"phone": mask_phone, "email": mask_email, "address": mask_address}


def can_see_pii(viewer: Any) -> bool:
    return has_permission(viewer, VIEW_PII)


def mask_for(viewer_sees_pii: bool, kind: str, value: str | None) -> str | None:
    """The value as this viewer may see it (``kind``: phone, email or address)."""
    if value is None or value == "" or viewer_sees_pii:
        return value
    return MASKERS[kind](value)


@dataclass(frozen=True)
class PersonForStaff:
    id: int
    email: str | None
    phone: str | None
    display_name: str
    is_staff: bool
    is_active: bool
    roles: list[str]
    date_joined: datetime
    masked: bool


def person_for_staff(user: User, *, unmasked: bool, roles: list[str] | None = None) -> PersonForStaff:
    return PersonForStaff(
        id=user.pk,
        email=mask_for(unmasked, "email", user.email),
        phone=mask_for(unmasked, "phone", user.phone),
        display_name=user.display_name,
        is_staff=user.is_staff,
        is_active=user.is_active,
        roles=roles if roles is not None else role_names(user),
        date_joined=user.date_joined,
        masked=not unmasked,
    )


def audit_pii_view(
    *, viewer: Any, users: Sequence[User], request: HttpRequest | None, channel: str, action: str = audit.PII_VIEW
) -> None:
    """One audit record per person whose unmasked data ``viewer`` was shown."""
    audit.record_many(actor=viewer, action=action, targets=list(users), summary=channel, request=request)


def people_for_staff(
    *,
    viewer: Any,
    users: Sequence[User],
    request: HttpRequest | None,
    channel: str,
    action: str = audit.PII_VIEW,
) -> list[PersonForStaff]:
    """``users`` as ``viewer`` may see them; unmasked views are audited (once per person)."""
    unmasked = can_see_pii(viewer)
    people = [person_for_staff(user, unmasked=unmasked) for user in users]
    if unmasked and users:
        audit_pii_view(viewer=viewer, users=users, request=request, channel=channel, action=action)
    return people
