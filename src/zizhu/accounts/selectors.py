from __future__ import annotations

from django.db.models import QuerySet

from zizhu.accounts.models import ApiToken, User
from zizhu.accounts.tokens import hash_token


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
