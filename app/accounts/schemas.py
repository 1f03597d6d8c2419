"""API schemas for accounts."""
from __future__ import annotations

from marshmallow import Schema, fields, validate


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    name = fields.String(load_default="", validate=validate.Length(max=100))
    days = fields.Integer(load_default=None, validate=validate.Range(min=1, max=365))


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    scopes = fields.Function(lambda t: [s for s in t.scopes.split(",") if s])
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(attribute="clear_text",
                          metadata={"description": "Shown once; send as `Authorization: Bearer <token>`."})


class MeSchema(Schema):
    id = fields.Integer(attribute="user_id")
    username = fields.String()
    display_name = fields.String()
    tenant = fields.String(attribute="tenant_id")
    roles = fields.Function(lambda a: sorted(a.roles))
