"""API: download my data (a zip of JSON files) and delete my account.

Routes hang on the accounts routers; this module is imported by ``zizhu.accounts.api``.
"""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from zizhu.accounts import privacy
from zizhu.accounts.api import me_router
from zizhu.accounts.auth import require_csrf
from zizhu.accounts.passkey_api import require_recent_auth
from zizhu.accounts.privacy_views import confirmation_words, zip_response
from zizhu.core.api_errors import ErrorOut
from zizhu.core.errors import InvalidInput


class ExportIn(Schema):
    password: str | None = Field(None, max_length=128, description="Needed without a recent sign-in (programs)")


class DeleteIn(Schema):
    confirm: str = Field(..., max_length=20, description="The word `DELETE` (or 删除), typed by the person")
    password: str | None = Field(None, max_length=128, description="Needed without a recent sign-in (programs)")


def _csrf_for_sessions(request: HttpRequest) -> None:
    if getattr(request, "api_token", None) is None:
        require_csrf(request)


@me_router.post(
    "/export",
    response={200: bytes, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    openapi_extra={"responses": {200: {"description": "A zip of JSON files", "content": {"application/zip": {}}}}},
)
def export(request: HttpRequest, payload: ExportIn):
    """Everything the shop keeps about you: a zip with one JSON file per section (audited)."""
    _csrf_for_sessions(request)
    require_recent_auth(request, payload.password)
    return zip_response(privacy.export_zip(user=request.user, request=request))  # type: ignore[arg-type]


@me_router.post("/delete", response={204: None, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def delete(request: HttpRequest, payload: DeleteIn):
    """Delete the account: personal data erased, orders kept anonymised; signs out everywhere (audited)."""
    _csrf_for_sessions(request)
    require_recent_auth(request, payload.password)
    if payload.confirm.strip().casefold() not in confirmation_words():
        message = _("Type the word exactly as shown to confirm.")
        raise InvalidInput(message, fields={"confirm": [message]}, code="confirmation_wrong")
    privacy.delete_account(user=request.user, request=request)  # type: ignore[arg-type]
    if getattr(request, "api_token", None) is None:
        logout(request)
    return Status(204, None)
