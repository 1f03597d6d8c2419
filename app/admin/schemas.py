"""API schemas for /api/v1/admin: definitions, instances, repairs, migration, dashboard."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api import PageSchema
from app.workflow.schemas import AuditEventSchema, IncidentSchema, InstanceSchema

STATUSES = ["running", "suspended", "completed", "cancelled"]
REASON = {"description": "why: recorded with the admin's name in the instance's audit history"}


def reason_field() -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1, max=1000), metadata=REASON)


# -- definitions --------------------------------------------------------------------------------
class AdminVersionSchema(Schema):
    version = fields.Integer()
    name = fields.String()
    filename = fields.String()
    digest = fields.String()
    deployed_at = fields.DateTime()
    deployed_by = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "instances of this version by status"})
    incidents = fields.Integer(metadata={"description": "instances of this version with an open incident"})


class AdminDefinitionGroupSchema(Schema):
    key = fields.String()
    name = fields.String()
    versions = fields.List(fields.Nested(AdminVersionSchema), metadata={"description": "newest first"})


class AdminUploadFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class AdminUploadResultSchema(Schema):
    key = fields.String(attribute="definition.key")
    version = fields.Integer(attribute="definition.version")
    created = fields.Boolean(metadata={"description": "false when the same content was already deployed"})


# -- instances ----------------------------------------------------------------------------------
class AdminInstanceQuerySchema(Schema):
    process_key = fields.String(load_default=None)
    version = fields.Integer(load_default=None, validate=validate.Range(min=1))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    tenant = fields.String(load_default=None)
    business_key = fields.String(load_default=None, metadata={"description": "contains"})
    started_from = fields.AwareDateTime(load_default=None)
    started_to = fields.AwareDateTime(load_default=None)
    has_incident = fields.Boolean(load_default=None)
    waiting_at = fields.String(load_default=None, metadata={
        "description": "element id of an open task, pending timer or open incident"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=200))


class AdminInstanceSchema(InstanceSchema):
    lock_version = fields.Integer()
    updated_at = fields.DateTime()


class AdminInstancePageSchema(PageSchema):
    items = fields.List(fields.Nested(AdminInstanceSchema))


class AdminTaskViewSchema(Schema):
    id = fields.String(attribute="task.id")
    element_id = fields.String(attribute="task.element_id")
    name = fields.String(attribute="task.name")
    candidate_groups = fields.List(fields.String(), attribute="task.candidate_groups")
    candidate_users = fields.List(fields.String(), attribute="task.candidate_users")
    assignee = fields.String(attribute="task.assignee", allow_none=True)
    due_at = fields.DateTime(attribute="task.due_at", allow_none=True)
    people = fields.List(fields.String(), metadata={"description": "who could take it now"})


class AdminTimerViewSchema(Schema):
    id = fields.Integer(attribute="timer.id")
    element_id = fields.String(attribute="timer.element_id")
    due_at = fields.DateTime(attribute="timer.due_at")
    due_provisional = fields.Boolean(attribute="timer.due_provisional")
    attempts = fields.Integer(attribute="timer.attempts")
    last_error = fields.String(attribute="timer.last_error", allow_none=True)
    lateness_seconds = fields.Float(allow_none=True, metadata={"description": "how long it has been due"})


class AdminChainSchema(Schema):
    intact = fields.Boolean(attribute="chain_intact")
    broken_at = fields.Integer(attribute="chain_broken_at", allow_none=True,
                               metadata={"description": "first sequence number that does not verify"})


class AdminInstanceDetailSchema(Schema):
    instance = fields.Nested(AdminInstanceSchema)
    active_element_ids = fields.List(fields.String())
    completed_element_ids = fields.List(fields.String())
    error_element_ids = fields.List(fields.String())
    taken_flow_ids = fields.List(fields.String(), metadata={"description": "sequence flows of the path taken"})
    variables = fields.Dict()
    waiting_messages = fields.List(fields.String())
    movable_sources = fields.List(fields.String())
    tasks = fields.List(fields.Nested(AdminTaskViewSchema))
    timers = fields.List(fields.Nested(AdminTimerViewSchema))
    incidents = fields.List(fields.Nested(IncidentSchema))
    chain = fields.Function(lambda view: AdminChainSchema().dump(view))
    newer_versions = fields.List(fields.Integer())


class AdminHistorySchema(Schema):
    intact = fields.Boolean()
    broken_at = fields.Integer(allow_none=True)
    events = fields.List(fields.Nested(AuditEventSchema))


# -- actions ------------------------------------------------------------------------------------
class AdminReasonSchema(Schema):
    reason = reason_field()


class AdminVariablesSchema(Schema):
    values = fields.Dict(keys=fields.String(), load_default=dict)
    unset = fields.List(fields.String(), load_default=list)
    reason = reason_field()


class AdminChangesSchema(Schema):
    changes = fields.Dict(metadata={"description": "name → {old, new}"})


class AdminMessageSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    variables = fields.Dict(keys=fields.String(), load_default=dict)
    reason = reason_field()


class AdminMoveSchema(Schema):
    source = fields.String(required=True, validate=validate.Length(min=1, max=100))
    target = fields.String(required=True, validate=validate.Length(min=1, max=100))
    reason = reason_field()


class AdminMoveResultSchema(Schema):
    source = fields.String()
    target = fields.String()
    cancelled_task_ids = fields.List(fields.String())


class AdminMigrateOneSchema(Schema):
    target_version = fields.Integer(load_default=None, validate=validate.Range(min=1),
                                    metadata={"description": "default: the latest version"})
    reason = reason_field()


class AdminMigrationSelectionSchema(Schema):
    process_key = fields.String(required=True)
    target_version = fields.Integer(load_default=None, validate=validate.Range(min=1))
    instance_ids = fields.List(fields.Integer(), load_default=None, metadata={
        "description": "these instances; without it, the filter below selects them"})
    from_version = fields.Integer(load_default=None, validate=validate.Range(min=1))
    status = fields.String(load_default=None, validate=validate.OneOf(["running", "suspended"]))
    tenant = fields.String(load_default=None)
    business_key = fields.String(load_default=None)
    waiting_at = fields.String(load_default=None)


class AdminMigrationBatchSchema(AdminMigrationSelectionSchema):
    reason = reason_field()


class AdminMigrationPreviewSchema(Schema):
    instance_id = fields.Integer()
    business_key = fields.String(allow_none=True)
    tenant = fields.String(attribute="tenant_id")
    status = fields.String()
    from_version = fields.Integer()
    to_version = fields.Integer()
    ok = fields.Boolean()
    reasons = fields.List(fields.String())
    changed = fields.List(fields.String())
    added = fields.List(fields.String())


class AdminMigrationResultSchema(Schema):
    instance_id = fields.Integer()
    ok = fields.Boolean()
    from_version = fields.Integer(allow_none=True)
    to_version = fields.Integer(allow_none=True)
    message = fields.String()


# -- dashboard ----------------------------------------------------------------------------------
class AdminTimerSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    element_id = fields.String()
    tenant = fields.String(attribute="tenant_id")
    due_at = fields.DateTime()
    attempts = fields.Integer()


class AdminJobHealthSchema(Schema):
    name = fields.String()
    description = fields.String()
    schedule = fields.String()
    last_status = fields.Function(lambda j: j.last_run.status if j.last_run else None)
    last_started_at = fields.Function(lambda j: j.last_run.started_at.isoformat() if j.last_run else None)
    failures = fields.Integer(metadata={"description": "failed runs in the last 24 hours"})


class AdminDashboardSchema(Schema):
    now = fields.DateTime()
    by_process = fields.List(fields.Dict())
    incident_count = fields.Integer()
    open_incidents = fields.List(fields.Nested(IncidentSchema))
    overdue_by_district = fields.Function(lambda d: [{"district": k, "count": v} for k, v in d.overdue_by_district])
    timers_due = fields.List(fields.Nested(AdminTimerSchema), metadata={"description": "due within 24 hours (or late)"})
    timers_overdue = fields.Integer()
    jobs = fields.List(fields.Nested(AdminJobHealthSchema), allow_none=True)
