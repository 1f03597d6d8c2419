"""The REST API (flask-smorest): OpenAPI 3 at /api/v1/openapi.json, CONTRACT errors."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from marshmallow import Schema
from marshmallow import fields as ma

from app import errors


class ErrorDetailSchema(Schema):
    code = ma.String(required=True, metadata={"description": "machine-readable code"})
    message = ma.String(required=True, metadata={"description": "for a person"})
    fields = ma.Dict(keys=ma.String(), values=ma.List(ma.String()),
                         metadata={"description": "field name → reasons"})


class ErrorSchema(Schema):
    error = ma.Nested(ErrorDetailSchema, required=True)


class PageSchema(Schema):
    """A page of results; each list endpoint's schema adds its ``items``."""

    total = ma.Integer()
    page = ma.Integer()
    per_page = ma.Integer()


class YunguanApi(Api):
    """Routes smorest's own HTTP errors (webargs 422s included) through the CONTRACT shape."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        return errors.handle_http_exception(error)


def init_app(app: Flask, blueprints: list) -> Api:
    """One Api per app (the factory may build several, e.g. in tests)."""
    api = YunguanApi(app, spec_kwargs={"security": [{"bearer": []}]})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for bp in blueprints:
        api.register_blueprint(bp)
    return api
