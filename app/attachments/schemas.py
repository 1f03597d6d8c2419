"""API schemas for attachments."""
from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields


class AttachmentSchema(Schema):
    id = fields.Integer()
    name = fields.String(attribute="original_name", metadata={"description": "the sanitised original name"})
    kind = fields.String(metadata={"description": "type found by content sniffing"})
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    purpose = fields.String()
    tenant = fields.String(attribute="tenant_id")
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime()


class UploadFileSchema(Schema):
    file = Upload(required=True)


class UploadFormSchema(Schema):
    purpose = fields.String(load_default="", metadata={"description": "free label, e.g. dedicated_domain_plan"})


class AttachmentQuerySchema(Schema):
    purpose = fields.String(load_default=None)
    ids = fields.String(load_default=None, metadata={"description": "comma-separated ids"})
