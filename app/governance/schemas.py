"""API schemas for vendor changes (M.28), security incidents and drills (M.31)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.accounts.roles import DISTRICTS
from app.governance.models import CHANGE_STATES, DRILL_STATES, INCIDENT_STATES, OUTCOMES

AttachmentIds = dict(load_default=list, validate=validate.Length(max=50),
                     metadata={"description": "ids of documents in the attachment store, each one the caller "
                                              "may see (a vendor or unit: its own organisation's); else 422"})
TENANTS = ["city", *DISTRICTS]


def attachment_list(**kwargs) -> fields.List:
    return fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), **{**AttachmentIds, **kwargs})


class GovernanceStepSchema(Schema):
    task_id = fields.String(attribute="id")
    name = fields.String()
    element_id = fields.String()
    candidate_groups = fields.List(fields.String())
    assignee = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)


class ChangeSubmitSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=4000))
    affected_systems = fields.String(load_default="", validate=validate.Length(max=2000))
    affected_districts = fields.List(fields.String(validate=validate.OneOf(TENANTS)), load_default=list)
    impact = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    rollback_plan = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    window_start = fields.AwareDateTime(required=True)
    window_end = fields.AwareDateTime(required=True)
    major = fields.Boolean(load_default=False,
                           metadata={"description": "M.28: 重大调整, evaluated and sent to the authority"})
    attachment_ids = attachment_list()


class ChangeSchema(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "the process instance's business key"})
    vendor_id = fields.Integer()
    vendor_name = fields.String(attribute="vendor.name")
    title = fields.String()
    description = fields.String()
    affected_systems = fields.String()
    affected_districts = fields.List(fields.String())
    impact = fields.String()
    rollback_plan = fields.String()
    window_start = fields.DateTime()
    window_end = fields.DateTime()
    major = fields.Boolean()
    attachment_ids = fields.List(fields.Integer())
    status = fields.String(metadata={"enum": list(CHANGE_STATES)})
    revision = fields.Integer()
    submitted_by = fields.String()
    submitted_at = fields.DateTime()
    review_note = fields.String()
    evaluator = fields.String()
    evaluation_conclusion = fields.String()
    evaluation_attachment_ids = fields.List(fields.Integer())
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String()
    outcome = fields.String(allow_none=True, metadata={"enum": list(OUTCOMES)})
    rollback_used = fields.Boolean(allow_none=True)
    completion_note = fields.String()
    completion_attachment_ids = fields.List(fields.Integer())
    completed_at = fields.DateTime(allow_none=True)
    instance_id = fields.Integer(allow_none=True)


class ViolationSchema(Schema):
    id = fields.Integer()
    change_id = fields.Integer()
    vendor_id = fields.Integer()
    kind = fields.String(metadata={"enum": ["unapproved", "outside_window"]})
    status_then = fields.String()
    carried_out_at = fields.DateTime()
    note = fields.String()
    recorded_by = fields.String()
    recorded_at = fields.DateTime()


class ChangeDetailSchema(ChangeSchema):
    violations = fields.List(fields.Nested(ViolationSchema))
    open_steps = fields.List(fields.Nested(GovernanceStepSchema))


class ChangeQuerySchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(CHANGE_STATES))


class CarriedOutSchema(Schema):
    carried_out_at = fields.AwareDateTime(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class CarriedOutResultSchema(Schema):
    change_id = fields.Integer()
    authorised = fields.Boolean(metadata={"description": "approved and inside its window (M.28)"})
    violation = fields.Nested(ViolationSchema, allow_none=True)


class SecurityIncidentReportSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=4000))
    severity = fields.Integer(required=True, validate=validate.Range(min=1, max=4),
                              metadata={"description": "1 特别重大, 2 重大, 3 较大, 4 一般"})
    occurred_at = fields.AwareDateTime(required=True)
    tenant_id = fields.String(load_default=None, validate=validate.OneOf(TENANTS),
                              metadata={"description": "city bodies name the district; others report in their own"})
    vendor_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    attachment_ids = attachment_list()


class SecurityIncidentSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    tenant = fields.String(attribute="tenant_id")
    title = fields.String()
    description = fields.String()
    severity = fields.Integer()
    occurred_at = fields.DateTime()
    reporter_org_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    vendor_id = fields.Integer(allow_none=True)
    attachment_ids = fields.List(fields.Integer())
    status = fields.String(metadata={"enum": list(INCIDENT_STATES)})
    reported_by = fields.String()
    reported_at = fields.DateTime()
    contain_due = fields.DateTime(allow_none=True)
    contained_at = fields.DateTime(allow_none=True)
    containment_note = fields.String()
    report_due = fields.DateTime(allow_none=True)
    cause = fields.String()
    report_summary = fields.String()
    report_attachment_ids = fields.List(fields.Integer())
    reported_to = fields.List(fields.String())
    report_sent_at = fields.DateTime(allow_none=True)
    escalated_at = fields.DateTime(allow_none=True)
    escalation = fields.String()
    closed_at = fields.DateTime(allow_none=True)
    instance_id = fields.Integer(allow_none=True)


class SecurityIncidentDetailSchema(SecurityIncidentSchema):
    open_steps = fields.List(fields.Nested(GovernanceStepSchema))


class SecurityIncidentQuerySchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(INCIDENT_STATES))
    severity = fields.Integer(load_default=None, validate=validate.Range(min=1, max=4))


class DrillFindingSchema(Schema):
    id = fields.Integer()
    description = fields.String()
    owner = fields.String()
    due_on = fields.Date()


class DrillStartSchema(Schema):
    title = fields.String(load_default="", validate=validate.Length(max=200))


class DrillSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    title = fields.String()
    scenario = fields.String()
    planned_on = fields.Date(allow_none=True)
    participants = fields.String()
    status = fields.String(metadata={"enum": list(DRILL_STATES)})
    started_by = fields.String(metadata={"description": "a user, or the schedule's job name"})
    created_at = fields.DateTime()
    executed_on = fields.Date(allow_none=True)
    summary = fields.String()
    attachment_ids = fields.List(fields.Integer())
    closed_at = fields.DateTime(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    findings = fields.List(fields.Nested(DrillFindingSchema))


class DrillDetailSchema(DrillSchema):
    open_steps = fields.List(fields.Nested(GovernanceStepSchema))

