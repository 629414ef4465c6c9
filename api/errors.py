"""One error body for every failure: `{"error": {"code", "message", "fields"}}`.

`fields` maps a field name to its messages (empty when the problem is not about one field).
Django's own exceptions raised by the shared code (access rules, services) get the status the UI
gives them: Http404 → 404, PermissionDenied → 403, ValidationError → 400, EditConflict → 409
with the record's current version.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.concurrency import EditConflict

CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
}


def body(code: str, message: str, fields: dict[str, list[str]] | None = None, **extra: Any) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, list | tuple):
        return [m for value in detail for m in _flatten(value)]
    return [str(detail)]


def validation_fields(detail: Any) -> tuple[str, dict[str, list[str]]]:
    """Split a DRF or form error structure into a general message and per-field messages."""
    if not isinstance(detail, dict):
        return " ".join(_flatten(detail)), {}
    general = _flatten(detail.get("non_field_errors", [])) + _flatten(detail.get("__all__", []))
    fields = {str(k): _flatten(v) for k, v in detail.items() if k not in ("non_field_errors", "__all__")}
    message = " ".join(general) or _("Check the fields listed.")
    return message, fields


def conflict_response(exc: EditConflict) -> Response:
    instance = exc.instance
    current = type(instance)._default_manager.filter(pk=instance.pk).values_list("version", flat=True).first()
    return Response(
        body(
            "conflict",
            _("The record changed since version %(v)s; read it again and resend from its current version.")
            % {"v": exc.expected_version},
            current_version=current,
        ),
        status=status.HTTP_409_CONFLICT,
    )


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, EditConflict):
        set_rollback()
        return conflict_response(exc)
    if isinstance(exc, ValidationError):
        set_rollback()
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        message, fields = validation_fields(detail)
        return Response(body("invalid", message, fields), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("Your role does not allow this."))
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 handler (and its logging) takes over
    set_rollback()
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(max(1, math.ceil(exc.wait)))  # whole seconds, never 0
    if isinstance(exc, exceptions.ValidationError):
        message, fields = validation_fields(exc.detail)
    else:
        message, fields = " ".join(_flatten(exc.detail)), {}
    code = CODES.get(exc.status_code, "error")
    return Response(body(code, message, fields), status=exc.status_code, headers=headers)
