"""Inbox and notification settings API (``/api/v1/me/inbox``, ``/api/v1/me/notifications``). No logic here."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from zizhu.accounts.auth import user_auth
from zizhu.core.api_errors import ErrorOut
from zizhu.notifications import selectors, services

inbox_router = Router(tags=["inbox"], auth=user_auth)
settings_router = Router(tags=["inbox"], auth=user_auth)


class MessageOut(Schema):
    id: int
    kind: str = Field(..., examples=["digest"])
    subject: str
    body: str
    link: str
    created_at: datetime
    read: bool


class InboxOut(Schema):
    unread: int
    items: list[MessageOut]


class PageIn(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


class SettingsIO(Schema):
    digests: bool = Field(..., description="a short digest of new picks, at most once a week, in the inbox")
    digest_email: bool = Field(..., description="also by e-mail (only while digests are on)")


def _message(message) -> dict:
    return {
        "id": message.pk,
        "kind": message.kind,
        "subject": message.subject,
        "body": message.body,
        "link": message.link,
        "created_at": message.created_at,
        "read": message.is_read,
    }


@inbox_router.get("", response={200: InboxOut, 401: ErrorOut, 422: ErrorOut})
def inbox(request: HttpRequest, query: Query[PageIn]):
    """My inbox, newest first, and how many messages are unread."""
    items = selectors.inbox(customer=request.user, limit=query.limit, offset=query.offset)
    return {"unread": selectors.unread_count(customer=request.user), "items": [_message(m) for m in items]}


@inbox_router.post("/{int:message_id}/read", response={204: None, 401: ErrorOut, 404: ErrorOut})
def mark_read(request: HttpRequest, message_id: int):
    services.mark_read(customer=request.user, message_id=message_id)
    return Status(204, None)


@inbox_router.post("/read-all", response={204: None, 401: ErrorOut})
def mark_all_read(request: HttpRequest):
    services.mark_all_read(customer=request.user)
    return Status(204, None)


@settings_router.get("", response={200: SettingsIO, 401: ErrorOut})
def get_settings(request: HttpRequest):
    row = selectors.settings_for(customer=request.user)
    return {"digests": row.digests, "digest_email": row.digest_email}


@settings_router.put("", response={200: SettingsIO, 401: ErrorOut, 422: ErrorOut})
def put_settings(request: HttpRequest, payload: SettingsIO):
    """Turn the weekly digest (and its e-mail copy) on or off."""
    row = services.update_settings(customer=request.user, digests=payload.digests, digest_email=payload.digest_email)
    return {"digests": row.digests, "digest_email": row.digest_email}
