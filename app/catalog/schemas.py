"""API schemas for the service catalogue. Money and quantities travel as decimal strings."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.catalog.models import LAYERS, PRICING_TYPES, TIER_MODES, VERSION_STATES


class TierSchema(Schema):
    lower_bound = fields.Decimal(as_string=True, places=4, required=True, validate=validate.Range(min=0))
    unit_price = fields.Decimal(as_string=True, places=4, required=True, validate=validate.Range(min=0))


class ItemSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9][A-Z0-9._-]{0,39}$"),
                         metadata={"description": "stable across versions, e.g. IAAS-VCPU"})
    layer = fields.String(required=True, validate=validate.OneOf(LAYERS))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    content = fields.String(load_default="", validate=validate.Length(max=4000))
    pricing_unit = fields.String(required=True, validate=validate.Length(min=1, max=40),
                                 metadata={"description": "e.g. 核·月, GB·月"})
    unit_price = fields.Decimal(as_string=True, places=4, required=True, validate=validate.Range(min=0),
                                metadata={"description": "for tiered items: the provisional price of monthly bills"})
    pricing_type = fields.String(required=True, validate=validate.OneOf(PRICING_TYPES))
    tier_mode = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(TIER_MODES))
    tiers = fields.List(fields.Nested(TierSchema), load_default=list)


class VersionSummarySchema(Schema):
    id = fields.Integer()
    tenant = fields.String(attribute="tenant_id")
    number = fields.Integer()
    title = fields.String()
    label = fields.String()
    status = fields.String(metadata={"enum": list(VERSION_STATES)})
    effective_from = fields.Date()
    based_on_id = fields.Integer(allow_none=True)
    proposed_by = fields.String()
    proposed_at = fields.DateTime()
    approved_at = fields.DateTime(allow_none=True)
    instance_id = fields.Integer(allow_none=True)


class VersionSchema(VersionSummarySchema):
    note = fields.String()
    items = fields.List(fields.Nested(ItemSchema))


class VersionQuerySchema(Schema):
    tenant = fields.String(load_default=None, validate=validate.Length(max=32))


class VersionCreateSchema(Schema):
    tenant = fields.String(load_default=None, validate=validate.Length(max=32),
                           metadata={"description": "city, or a district: by default the proposer's own tenant"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    effective_from = fields.Date(required=True)
    based_on_id = fields.Integer(load_default=None, metadata={"description": "M.16: the version it adjusts"})
    note = fields.String(load_default="", validate=validate.Length(max=4000))
    items = fields.List(fields.Nested(ItemSchema), load_default=None,
                        metadata={"description": "omitted with based_on_id: the base version's items"})


class ItemsSchema(Schema):
    items = fields.List(fields.Nested(ItemSchema), required=True)


class ItemQuerySchema(Schema):
    on = fields.Date(load_default=None, metadata={"description": "the day of use (default today)"})
    tenant = fields.String(load_default=None, validate=validate.Length(max=32))


class ItemsInForceSchema(Schema):
    version = fields.Nested(VersionSummarySchema, allow_none=True)
    items = fields.List(fields.Nested(ItemSchema))
