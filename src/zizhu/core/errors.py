"""Domain errors: a stable machine code, an HTTP status and a translated message.

Services raise these; the API turns them into ``{"code", "message", "fields"}`` and
pages show the message next to the field it names.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "error"
    status = 400
    default_message: Any = _("Something went wrong. Please try again.")

    def __init__(self, message: Any = None, *, fields: dict[str, list[str]] | None = None, code: str | None = None):
        self.message = message if message is not None else self.default_message
        self.fields = fields or {}
        if code:
            self.code = code
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {name: [str(m) for m in messages] for name, messages in self.fields.items()},
        }


class InvalidInput(DomainError):
    code = "invalid"
    status = 422
    default_message = _("Some of the information is not valid. Please check the marked fields.")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _("We could not find what you were looking for.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("You are not allowed to do that.")


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    status = 401
    default_message = _("Please sign in first.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("This was changed by someone else at the same time. Please try again.")


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many attempts. Please wait a moment and try again.")

    def __init__(self, message: Any = None, *, retry_after: int = 60, **kwargs: Any):
        self.retry_after = retry_after
        super().__init__(message, **kwargs)
