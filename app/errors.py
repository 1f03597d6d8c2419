"""Domain errors and their translation to HTTP, in the CONTRACT's error shape.

Services raise these (never ``abort``); the handlers below turn them into
``{"error": {"code", "message", "fields"}}`` for the API and an error page for the UI.
Any unexpected exception rolls the session back and is logged before the 500 goes out.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app.extensions import db

log = logging.getLogger(__name__)


class DomainError(Exception):
    status = 422
    code = "rule_violated"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class BadRequest(DomainError):
    status, code = 400, "bad_request"


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class ValidationFailed(DomainError):
    status, code = 422, "validation_failed"


# Codes for the HTTP errors Werkzeug raises before our code runs.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "internal_error",
}


def error_body(status: int, code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def _respond(status: int, code: str, message: str, fields: dict[str, Any] | None = None) -> Response:
    if wants_json():
        response = jsonify(error_body(status, code, message, fields))
        response.status_code = status
        return response
    return Response(
        render_template("errors/error.html", status=status, message=message, fields=fields or {}),
        status=status,
    )


def flatten_webargs_messages(messages: Any) -> dict[str, list[str]]:
    """webargs nests field errors by location ({"json": {"name": [...]}}); the contract wants them flat."""
    fields: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            fields.setdefault(prefix or "_schema", []).extend(value)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(f"{prefix}.{index}", inner)
        else:
            fields.setdefault(prefix or "_schema", []).append(str(value))

    locations = {"json", "query", "form", "files", "headers", "path", "view_args"}
    if isinstance(messages, dict) and set(messages) <= locations:
        for inner in messages.values():
            walk("", inner)
    else:
        walk("", messages)
    return fields


def handle_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    fields = flatten_webargs_messages(data["messages"]) if "messages" in data else {}
    if status == 422 and fields:
        message = _("Some fields are invalid.")
    elif status == 413:
        limit = request.max_content_length or 0
        message = _("The request is too large (limit %(kb)s KB).", kb=limit // 1024)
    else:
        message = exc.description or exc.name
    return _respond(status, HTTP_CODES.get(status, "http_error"), message, fields)


def handle_domain_error(exc: DomainError) -> Response:
    if exc.status >= 400:
        db.session.rollback()
    return _respond(exc.status, exc.code, exc.message, exc.fields)


def handle_unexpected(exc: Exception) -> Response:
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _respond(500, "internal_error", _("An internal error occurred; it has been logged."))


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
