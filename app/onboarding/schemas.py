"""API schemas: go-live security checks (M.30), dedicated domains (M.11), outside applications (M.7)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

Text = dict(required=True, validate=validate.Length(min=1, max=5000))
Ids = fields.List(fields.Integer(), load_default=list, metadata={"description": "attachment ids"})


class GoLiveStartSchema(Schema):
    project_id = fields.Integer(required=True)


class GoLiveQuerySchema(Schema):
    project_id = fields.Integer(load_default=None)


class GoLiveStepSchema(Schema):
    stage = fields.String()
    checklist = fields.List(fields.String())
    attachment_ids = fields.List(fields.Integer())
    note = fields.String()
    done_by = fields.String()
    done_at = fields.DateTime()


class GoLiveSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    project_id = fields.Integer()
    project_name = fields.String(attribute="project.name")
    tenant = fields.String(attribute="tenant_id")
    status = fields.String(metadata={"enum": ["in_progress", "complete", "refused"]})
    review_note = fields.String()
    commitment_text = fields.String(metadata={"description": "M.30 上云安全承诺书 (Markdown)"})
    commitment_sha256 = fields.String()
    signed_by = fields.String(allow_none=True)
    signed_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    steps = fields.List(fields.Nested(GoLiveStepSchema))


class DomainSubmitSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    plan_summary = fields.String(**Text)
    plan_attachments = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1))
    unit_duties = fields.String(**Text)
    bdc_duties = fields.String(**Text)
    vendor_duties = fields.String(**Text)
    vendor_id = fields.Integer(load_default=None)


class PlacementSchema(Schema):
    id = fields.Integer()
    allocation_id = fields.Integer(required=True)
    placed_by = fields.String(dump_only=True)
    placed_at = fields.DateTime(dump_only=True)


class DomainSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    name = fields.String()
    organisation_id = fields.Integer()
    organisation_name = fields.String(attribute="organisation.name")
    tenant = fields.String(attribute="tenant_id")
    plan_summary = fields.String()
    plan_attachment_ids = fields.List(fields.Integer())
    unit_duties = fields.String()
    bdc_duties = fields.String()
    vendor_duties = fields.String()
    vendor_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"enum": ["reviewing", "returned", "approved", "withdrawn"]})
    rounds = fields.Integer()
    review_note = fields.String()
    approved_at = fields.DateTime(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    placements = fields.List(fields.Nested(PlacementSchema))


class OutsideApplySchema(Schema):
    body_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body_code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._-]{2,64}$"))
    body_nature = fields.String(required=True, validate=validate.Length(min=1, max=100))
    reason = fields.String(**Text)
    contact = fields.String(load_default="", validate=validate.Length(max=200))
    attachments = Ids


class OutsideSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    body_name = fields.String()
    body_code = fields.String()
    body_nature = fields.String()
    reason = fields.String()
    contact = fields.String()
    supervisor_id = fields.Integer()
    supervisor_name = fields.String(attribute="supervisor.name")
    tenant = fields.String(attribute="tenant_id")
    attachment_ids = fields.List(fields.Integer())
    status = fields.String(metadata={"enum": ["pending", "accepted", "refused", "declined"]})
    decision_note = fields.String()
    organisation_id = fields.Integer(allow_none=True,
                                     metadata={"description": "the outside organisation, once accepted"})
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
