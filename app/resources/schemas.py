"""API schemas for resource applications and allocations."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.resources.models import APPLICATION_KINDS, APPLICATION_STATES, KINDS, SPECIAL_KINDS, STATES

Quantity = fields.Decimal(as_string=True, places=4)
Positive = dict(as_string=True, places=4, required=True, validate=validate.Range(min=0, min_inclusive=False))


class LineSchema(Schema):
    id = fields.Integer()
    item_code = fields.String()
    item_name = fields.String()
    pricing_unit = fields.String()
    allocation_id = fields.Integer(allow_none=True)
    quantity = Quantity
    approved_quantity = fields.Decimal(as_string=True, places=4, allow_none=True,
                                       metadata={"description": "M.24: set by eitc for temporary resources"})


class ApplicationSchema(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "the process instance's business key"})
    kind = fields.String(metadata={"enum": list(APPLICATION_KINDS)})
    project_id = fields.Integer()
    project_code = fields.String(attribute="project.code")
    project_name = fields.String(attribute="project.name")
    tenant = fields.String(attribute="tenant_id")
    status = fields.String(metadata={"enum": list(APPLICATION_STATES)})
    over_quota = fields.Boolean(metadata={"description": "M.20: above 120 % of the quota, eitc decides first"})
    requested_expiry = fields.Date(allow_none=True)
    basis = fields.String()
    reason = fields.String()
    requested_by = fields.String()
    requested_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decision_note = fields.String()
    escalated_at = fields.DateTime(allow_none=True)
    escalation = fields.String()
    instance_id = fields.Integer(allow_none=True)
    lines = fields.List(fields.Nested(LineSchema))


class EventSchema(Schema):
    at = fields.DateTime()
    actor = fields.String()
    kind = fields.String()
    allocation_id = fields.Integer(allow_none=True)
    state_after = fields.String(allow_none=True)
    quantity_before = fields.Decimal(as_string=True, places=4, allow_none=True)
    quantity_after = fields.Decimal(as_string=True, places=4, allow_none=True)
    expires_before = fields.Date(allow_none=True)
    expires_after = fields.Date(allow_none=True)
    note = fields.String()


class StepSchema(Schema):
    task_id = fields.String(attribute="id")
    name = fields.String()
    element_id = fields.String()
    candidate_groups = fields.List(fields.String())
    assignee = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)


class ApplicationDetailSchema(ApplicationSchema):
    events = fields.List(fields.Nested(EventSchema))
    open_steps = fields.List(fields.Nested(StepSchema), metadata={"description": "the tasks it waits on"})


class AllocationSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    project_id = fields.Integer()
    project_code = fields.String(attribute="project.code")
    tenant = fields.String(attribute="tenant_id")
    application_id = fields.Integer(allow_none=True)
    item_code = fields.String()
    item_name = fields.String()
    pricing_unit = fields.String()
    kind = fields.String(metadata={"enum": list(KINDS)})
    quantity = Quantity
    state = fields.String(metadata={"enum": list(STATES)})
    starts_on = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    external_access = fields.Boolean()


class AllocationDetailSchema(AllocationSchema):
    history = fields.List(fields.Nested(EventSchema))


class AllocationQuerySchema(Schema):
    project_id = fields.Integer(load_default=None)
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    active = fields.Boolean(load_default=False, metadata={"description": "only requested, open, expanding, reclaiming"})


class ApplicationQuerySchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(APPLICATION_STATES))
    kind = fields.String(load_default=None, validate=validate.OneOf(APPLICATION_KINDS))
    project_id = fields.Integer(load_default=None)


class ExpansionLineSchema(Schema):
    allocation_id = fields.Integer(required=True)
    quantity = fields.Decimal(**Positive, metadata={"description": "the increase"})


class ExpansionSchema(Schema):
    lines = fields.List(fields.Nested(ExpansionLineSchema), required=True, validate=validate.Length(min=1, max=50))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class ReclaimSchema(Schema):
    allocation_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=100))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class SpecialLineSchema(Schema):
    item_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    quantity = fields.Decimal(**Positive)


class SpecialSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(SPECIAL_KINDS))
    lines = fields.List(fields.Nested(SpecialLineSchema), required=True, validate=validate.Length(min=1, max=50))
    expires_on = fields.Date(required=True, metadata={"description": "the last day of use (M.22–M.24 terms)"})
    reason = fields.String(load_default="", validate=validate.Length(max=2000))
    basis = fields.String(load_default="", validate=validate.Length(max=200))
    external_access = fields.Boolean(load_default=False, metadata={"description": "M.22: must be false"})


class ExtensionSchema(Schema):
    expires_on = fields.Date(required=True, metadata={"description": "the new last day of use"})
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class GrantLineSchema(Schema):
    line_id = fields.Integer(required=True)
    quantity = fields.Decimal(**Positive)


class GrantSchema(Schema):
    lines = fields.List(fields.Nested(GrantLineSchema), required=True, validate=validate.Length(min=1, max=50))
