"""API schemas for metered usage."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api import PageSchema


class UsageRowSchema(Schema):
    resource = fields.Raw(required=True, metadata={"description": "resource id (12) or number (R-000012)"})
    item = fields.String(required=True, metadata={"description": "catalogue item code"})
    day = fields.String(required=True, metadata={"description": "YYYY-MM-DD, today or earlier"})
    quantity = fields.String(required=True, metadata={"description": "decimal, ≥ 0, at most 4 places"})
    source = fields.String(metadata={"description": "the collector's own label"})


class UsageUploadSchema(Schema):
    """The JSON form; a CSV file (``file=``, header resource,item,day,quantity[,source]) also works."""

    rows = fields.List(fields.Nested(UsageRowSchema), required=True)


class RejectedRowSchema(Schema):
    row = fields.Integer(metadata={"description": "1 = the first data row"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class IngestResultSchema(Schema):
    accepted = fields.Integer()
    rejected = fields.List(fields.Nested(RejectedRowSchema))


class UsageQuerySchema(Schema):
    resource = fields.Integer(load_default=None)
    item = fields.String(load_default=None)
    day_from = fields.Date(load_default=None, data_key="from")
    day_to = fields.Date(load_default=None, data_key="to")
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class UsageRecordSchema(Schema):
    id = fields.Integer()
    tenant = fields.String(attribute="tenant_id")
    resource = fields.Integer(attribute="allocation_id")
    item = fields.String(attribute="item_code")
    day = fields.Date()
    quantity = fields.Decimal(as_string=True, places=4)
    source = fields.String()
    received_at = fields.DateTime()


class UsagePageSchema(PageSchema):
    items = fields.List(fields.Nested(UsageRecordSchema))
