"""JSON error answers for the API: never an HTML page, always a translated message."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.operation import PathView

from zizhu.core.errors import DomainError

logger = logging.getLogger(__name__)

_UNREADABLE = gettext_noop("The request could not be read. Send a valid JSON body.")
_NOT_ALLOWED = gettext_noop("This action is not available here.")


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


def error_payload(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def _validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        location = [str(part) for part in error.get("loc", []) if part not in ("body", "query", "path", "payload")]
        name = ".".join(location) or "__all__"
        fields.setdefault(name, []).append(_translate_pydantic(error))
    return fields


def _translate_pydantic(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    messages = {
        "missing": _("This field is required."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "int_from_float": _("Enter a whole number."),
        "string_type": _("Enter text."),
        "bool_parsing": _("Enter true or false."),
        "bool_type": _("Enter true or false."),
        "string_too_long": _("This text is too long."),
        "string_too_short": _("This text is too short."),
        "greater_than_equal": _("This number is too small."),
        "less_than_equal": _("This number is too large."),
        "json_invalid": _("The request body is not valid JSON."),
        "model_attributes_type": _("The request body must be a JSON object."),
        "dict_type": _("The request body must be a JSON object."),
        "enum": _("Choose one of the allowed values."),
        "literal_error": _("Choose one of the allowed values."),
        "value_error": str(error.get("ctx", {}).get("error", "")) or _("This value is not valid."),
    }
    return messages.get(kind, _("This value is not valid."))


def install_error_handlers(api: NinjaAPI) -> None:
    # Ninja has no hook for its 405 answer (ninja/operation.py, PathView._not_allowed, 1.x);
    # tests/core/test_api_errors.py fails if an upgrade changes that.
    PathView._not_allowed = _method_not_allowed  # type: ignore[method-assign]

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        response = api.create_response(request, exc.as_dict(), status=exc.status)
        if getattr(exc, "retry_after", None):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        payload = error_payload(
            "invalid",
            _("Some of the information is not valid. Please check the marked fields."),
            _validation_fields(exc.errors),
        )
        return api.create_response(request, payload, status=422)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(request, error_payload("not_authenticated", _("Please sign in first.")), status=401)

    @api.exception_handler(AuthorizationError)
    def authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return api.create_response(
            request, error_payload("permission_denied", _("You are not allowed to do that.")), status=403
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(
            request, error_payload("not_found", _("We could not find what you were looking for.")), status=404
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, ValidationError):  # our parser's refusal, wrapped by Ninja as a 400
            return validation_error(request, exc.__cause__)
        known = {
            400: ("bad_request", _(_UNREADABLE)),
            403: ("permission_denied", _("You are not allowed to do that.")),
            404: ("not_found", _("We could not find what you were looking for.")),
            405: ("method_not_allowed", _(_NOT_ALLOWED)),
        }
        code, message = known.get(exc.status_code, ("error", str(exc)))
        return api.create_response(request, error_payload(code, str(message)), status=exc.status_code)

    @api.exception_handler(MultiPartParserError)
    @api.exception_handler(SuspiciousOperation)  # e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE
    @api.exception_handler(BadRequest)
    def unreadable_body(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Raised while Django reads the body (the CSRF check reads a form body too): e.g. a
        # "multipart/form-data" header without a boundary. The client's mistake, not ours.
        logger.warning("Unreadable API request body on %s: %s", request.path, exc.__class__.__name__)
        return api.create_response(request, error_payload("bad_request", _(_UNREADABLE)), status=400)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled API error on %s", request.path)
        return api.create_response(
            request,
            error_payload("server_error", _("Something went wrong on our side. Please try again later.")),
            status=500,
        )


def _method_not_allowed(path_view: PathView) -> HttpResponse:
    """Ninja answers a method no operation takes (``PUT /api/v1/cart``) itself, with an English
    text body, before any exception handler runs: the same JSON error as every other answer."""
    allowed = sorted({method for operation in path_view.operations for method in operation.methods})
    response = JsonResponse(error_payload("method_not_allowed", _(_NOT_ALLOWED)), status=405)
    response["Allow"] = ", ".join(allowed)
    return response
