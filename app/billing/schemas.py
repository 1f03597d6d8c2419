"""API schemas for settlement statements (M.27) and DR funding marks (P.5)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api import PageSchema
from app.billing.models import DR_FUNDINGS, KINDS, MONTHLY, STATUSES


class StatementQuerySchema(Schema):
    tenant = fields.String(load_default=None)
    period = fields.String(load_default=None, metadata={"description": "YYYY-MM, or YYYY for true-ups"})
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class StatementLineSchema(Schema):
    id = fields.Integer()
    item_code = fields.String()
    item_name = fields.String()
    pricing_unit = fields.String()
    pricing_type = fields.String()
    price_source = fields.String(metadata={"description": "contract, catalogue, provisional, average, charged"})
    source_ref = fields.String(metadata={"description": "contract number or catalogue version"})
    contract_id = fields.Integer(allow_none=True)
    catalog_version_id = fields.Integer(allow_none=True)
    first_day = fields.Date()
    last_day = fields.Date()
    quantity = fields.Decimal(as_string=True)
    unit_price = fields.Decimal(as_string=True)
    coefficient = fields.Decimal(as_string=True)
    amount = fields.Decimal(as_string=True, places=2)
    dr_funding = fields.String(allow_none=True)


class StatementSummarySchema(Schema):
    id = fields.Integer()
    number = fields.String()
    tenant = fields.String(attribute="tenant_id")
    kind = fields.String()
    period = fields.String(attribute="period_label")
    period_start = fields.Date()
    period_end = fields.Date()
    organisation_id = fields.Integer(allow_none=True, metadata={"description": "an outside unit paying itself"})
    vendor_id = fields.Integer(allow_none=True)
    status = fields.String()
    total = fields.Decimal(as_string=True, places=2)
    district_funded = fields.Decimal(as_string=True, places=2)
    city_funded = fields.Decimal(as_string=True, places=2)
    corrects_id = fields.Integer(allow_none=True)
    instance_id = fields.Integer(allow_none=True)


class StatementSchema(StatementSummarySchema):
    note = fields.String()
    return_reason = fields.String()
    drafted_by = fields.String()
    drafted_at = fields.DateTime()
    confirmed_by = fields.String(allow_none=True)
    confirmed_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(StatementLineSchema))


class StatementPageSchema(PageSchema):
    items = fields.List(fields.Nested(StatementSummarySchema))


class StatementPatchSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(max=4000))


class SettlementStartSchema(Schema):
    tenant = fields.String(required=True, metadata={"description": "district code, or city"})
    period = fields.String(required=True, metadata={"description": "YYYY-MM (monthly) or YYYY (true_up)"})
    kind = fields.String(load_default=MONTHLY, validate=validate.OneOf(KINDS))


class ProcessStartedSchema(Schema):
    instance_id = fields.Integer(attribute="id")
    business_key = fields.String()
    status = fields.String()


class StatementListSchema(Schema):
    items = fields.List(fields.Nested(StatementSummarySchema))


class DrFundingSchema(Schema):
    funding = fields.String(required=True, allow_none=True, validate=validate.OneOf(DR_FUNDINGS),
                            metadata={"description": "shared (city-funded), exclusive (district-funded), null"})


class DrFundingOutSchema(Schema):
    allocation_id = fields.Integer()
    funding = fields.String(allow_none=True)


class ExportQuerySchema(Schema):
    period = fields.String(required=True, metadata={"description": "YYYY-MM, or YYYY for the year"})
