"""API schemas for solicitations, their aggregation, results and contracts. Money travels as strings."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api import PageSchema
from app.procurement.models import CONTRACT_STATES, REPLY_STATES, ROUND_STATES

Money = fields.Decimal(as_string=True, places=4)


class SolicitationItemSchema(Schema):
    id = fields.Integer()
    item_code = fields.String()
    item_name = fields.String()
    content = fields.String()
    pricing_unit = fields.String()
    pricing_type = fields.String()
    estimated_unit_price = fields.Decimal(as_string=True, places=4)
    service_standard = fields.String()
    vendor_id = fields.Integer(allow_none=True, metadata={"description": "the result: winning vendor"})
    unit_price = fields.Decimal(as_string=True, places=4, allow_none=True)
    result_standard = fields.String(allow_none=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)


class SolicitationSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    title = fields.String()
    budget_year = fields.Integer()
    reply_deadline = fields.Date()
    status = fields.String(metadata={"enum": list(ROUND_STATES)})
    note = fields.String()
    issued_by = fields.String()
    issued_at = fields.DateTime()
    entrusted_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(SolicitationItemSchema))


class SolicitationPageSchema(PageSchema):
    items = fields.List(fields.Nested(SolicitationSchema))


class ListQuerySchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(ROUND_STATES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class IssueItemSchema(Schema):
    item_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    estimated_unit_price = fields.Decimal(load_default=None, allow_none=True, validate=validate.Range(min=0),
                                          metadata={"description": "default: the catalogue's unit price"})
    content = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))
    service_standard = fields.String(load_default="", validate=validate.Length(max=4000))


class IssueSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    budget_year = fields.Integer(required=True, validate=validate.Range(min=2020, max=2100))
    reply_deadline = fields.Date(required=True, metadata={"description": "P.4(2): by the districts' budget proposals"})
    districts = fields.List(fields.String(), load_default=None, metadata={"description": "default: every district"})
    note = fields.String(load_default="", validate=validate.Length(max=4000))
    items = fields.List(fields.Nested(IssueItemSchema), required=True)


class ReplyLineSchema(Schema):
    item_code = fields.String(required=True)
    # Checked by the service, so a negative demand is refused with its field and reason (422).
    quantity = fields.Decimal(required=True, as_string=True)


class ReplySchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["demand", "decline"]))
    lines = fields.List(fields.Nested(ReplyLineSchema), load_default=list)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ReplyLineOutSchema(Schema):
    item_code = fields.String()
    quantity = fields.Decimal(as_string=True, places=4)


class ReplyOutSchema(Schema):
    tenant = fields.String(attribute="tenant_id")
    status = fields.String(metadata={"enum": list(REPLY_STATES)})
    note = fields.String()
    replied_by = fields.String(allow_none=True)
    replied_at = fields.DateTime(allow_none=True)
    reminded_at = fields.DateTime(allow_none=True)
    filed_by = fields.String(allow_none=True)
    filed_at = fields.DateTime(allow_none=True)
    opted_in = fields.Boolean(allow_none=True)
    lines = fields.List(fields.Nested(ReplyLineOutSchema))


class AggregationRowSchema(Schema):
    tenant = fields.String()
    name = fields.String()
    status = fields.String()
    filed = fields.Boolean()
    opted_in = fields.Boolean(allow_none=True)
    quantities = fields.Dict(keys=fields.String(), values=fields.Decimal(as_string=True, places=4))


class AggregationSchema(Schema):
    items = fields.List(fields.Nested(SolicitationItemSchema))
    districts = fields.List(fields.Nested(AggregationRowSchema))
    totals = fields.Dict(keys=fields.String(), values=fields.Decimal(as_string=True, places=4),
                         metadata={"description": "per item: the demand of the districts that replied with demand"})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class ResultLineSchema(Schema):
    item_code = fields.String(required=True)
    vendor_id = fields.Integer(required=True)
    unit_price = fields.Decimal(required=True, as_string=True)
    service_standard = fields.String(load_default="", validate=validate.Length(max=4000))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)


class ProcurementResultSchema(Schema):
    lines = fields.List(fields.Nested(ResultLineSchema), required=True)


class ContractItemSchema(Schema):
    id = fields.Integer()
    item_code = fields.String()
    item_name = fields.String()
    pricing_unit = fields.String()
    pricing_type = fields.String()
    unit_price = fields.Decimal(as_string=True, places=4, metadata={"description": "P.4(4): locked"})
    service_standard = fields.String()
    licence_expires_on = fields.Date(allow_none=True)


class ContractSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    tenant = fields.String(attribute="tenant_id")
    vendor_id = fields.Integer()
    solicitation_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"enum": list(CONTRACT_STATES)})
    starts_on = fields.Date()
    ends_on = fields.Date()
    signed_by = fields.String()
    signed_at = fields.DateTime()
    items = fields.List(fields.Nested(ContractItemSchema))


class ContractPageSchema(PageSchema):
    items = fields.List(fields.Nested(ContractSchema))


class ContractQuerySchema(Schema):
    solicitation_id = fields.Integer(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class ItemChangeSchema(Schema):
    unit_price = fields.Decimal(as_string=True)
    pricing_type = fields.String()
    service_standard = fields.String()


class RenewalSchema(Schema):
    item_code = fields.String(required=True)


class AuditSchema(Schema):
    id = fields.Integer()
    item_code = fields.String(allow_none=True)
    action = fields.String()
    attempted = fields.Dict()
    reason = fields.String()
    attempted_by = fields.String()
    attempted_at = fields.DateTime()


class RenewalDueSchema(Schema):
    item_code = fields.String()
    item_name = fields.String()
    districts = fields.List(fields.String())
    district_names = fields.List(fields.String())
    expired_on = fields.Date()
    total_demand = fields.Decimal(as_string=True, places=4)
