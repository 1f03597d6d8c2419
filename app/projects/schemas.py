"""API schemas for projects and their quotas (M.18)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.projects.models import PROJECT_STATES


class QuotaLineSchema(Schema):
    item_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    quantity = fields.Decimal(as_string=True, places=4, required=True,
                              validate=validate.Range(min=0, min_inclusive=False))
    peak_quantity = fields.Decimal(as_string=True, places=4, load_default=None, allow_none=True,
                                   metadata={"description": "M.18 周期性动态配额: the quota in peak periods"})


class QuotaSchema(Schema):
    item_code = fields.String()
    item_name = fields.String()
    pricing_unit = fields.String()
    quantity = fields.Decimal(as_string=True, places=4)
    peak_quantity = fields.Decimal(as_string=True, places=4, allow_none=True)


class ProjectCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=4000))
    mlps_level = fields.Integer(required=True, metadata={"description": "等保级别; M.18: 3 or below"})
    classified = fields.Boolean(load_default=False, metadata={"description": "涉密; M.18: must be false"})
    periodic = fields.Boolean(load_default=False, metadata={"description": "the business load is periodic"})
    periodic_load = fields.String(load_default="", validate=validate.Length(max=2000))
    key_work = fields.Boolean(load_default=False, metadata={"description": "M.24(1): on the annual key-work list"})
    special_meeting = fields.String(load_default="", validate=validate.Length(max=200),
                                    metadata={"description": "M.24(2): the special meeting that decided it"})
    quotas = fields.List(fields.Nested(QuotaLineSchema), required=True, validate=validate.Length(min=1, max=100))


class ProjectSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    description = fields.String()
    tenant = fields.String(attribute="tenant_id")
    organisation = fields.String(attribute="organisation.name")
    status = fields.String(metadata={"enum": list(PROJECT_STATES)})
    mlps_level = fields.Integer()
    periodic_load = fields.String()
    key_work = fields.Boolean()
    special_meeting = fields.String()
    applied_by = fields.String()
    applied_at = fields.DateTime()
    approved_at = fields.DateTime(allow_none=True)
    notified_at = fields.DateTime(allow_none=True)
    quotas = fields.List(fields.Nested(QuotaSchema))


class UsageSchema(Schema):
    item_code = fields.String()
    item_name = fields.String()
    pricing_unit = fields.String()
    quota = fields.Decimal(as_string=True, places=4)
    peak = fields.Decimal(as_string=True, places=4, allow_none=True)
    used = fields.Decimal(as_string=True, places=4, metadata={"description": "test and formal resources held"})
    percent = fields.Integer()
    development = fields.Decimal(as_string=True, places=4)
    development_limit = fields.Decimal(as_string=True, places=4, metadata={"description": "M.22: 15 % of the quota"})


class ProjectDetailSchema(ProjectSchema):
    usage = fields.List(fields.Nested(UsageSchema))


class ProjectQuerySchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(PROJECT_STATES))
    tenant = fields.String(load_default=None, validate=validate.Length(max=32))
