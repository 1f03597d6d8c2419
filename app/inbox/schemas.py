"""API schemas for human tasks, bulk completion, absences (substitutes) and notifications."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api import PageSchema
from app.inbox.bulk import MAX_TASKS
from app.inbox.models import KINDS
from app.inbox.service import SCOPES, SORTS


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class TaskQuerySchema(PageArgs):
    scope = fields.String(load_default="all", validate=validate.OneOf(SCOPES), metadata={
        "description": "mine: assigned to me; candidate: my groups, unclaimed; covering: assigned to colleagues "
                       "I substitute for now; done: completed by me; all: mine + candidate + covering"})
    process_key = fields.String(load_default=None, validate=validate.Length(max=100))
    tenant = fields.String(load_default=None, validate=validate.Length(max=32), metadata={"description": "district"})
    overdue = fields.Boolean(load_default=None)
    due_before = fields.AwareDateTime(load_default=None)
    sort = fields.String(load_default=None, validate=validate.OneOf(SORTS),
                         metadata={"description": "due (default; no due date last), -due, created, -completed …"})


class TaskSchema(Schema):
    id = fields.String()
    name = fields.String()
    element_id = fields.String()
    instance_id = fields.Integer()
    process_key = fields.String()
    business_key = fields.String(allow_none=True)
    tenant = fields.String(attribute="tenant_id")
    form_id = fields.String(allow_none=True)
    candidate_groups = fields.List(fields.String())
    assignee = fields.String(allow_none=True)
    status = fields.String()
    priority = fields.Integer()
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    due_provisional = fields.Boolean()
    overdue = fields.Function(lambda item: bool(getattr(item, "overdue", False)))
    due_soon = fields.Function(lambda item: bool(getattr(item, "due_soon", False)),
                               metadata={"description": "due within INBOX_DUE_SOON_WORKDAYS working days"})
    workdays_left = fields.Function(lambda item: item.due.workdays_left if hasattr(item, "due") else None,
                                    allow_none=True)
    on_behalf_of = fields.String(allow_none=True, dump_default=None,
                                 metadata={"description": "set when I reach the task as a substitute"})
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    documentation = fields.String(allow_none=True)


class TaskPageSchema(PageSchema):
    items = fields.List(fields.Nested(TaskSchema))
    total = fields.Integer(metadata={"description": "counted up to 1000 (see total_capped)"})
    total_capped = fields.Boolean(attribute="capped", metadata={"description": "true: there are at least `total`"})


class CitationSchema(Schema):
    code = fields.String()
    source = fields.Function(lambda c: str(c.source))
    text = fields.String()


class TaskDetailSchema(TaskSchema):
    form = fields.Dict(allow_none=True, metadata={"description": "the Camunda Form (form-js JSON)"})
    data = fields.Dict()
    regulation = fields.Nested(CitationSchema, allow_none=True,
                               metadata={"description": "the article the step implements, from its documentation"})


class CompleteSchema(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class BulkCompleteSchema(Schema):
    task_ids = fields.List(fields.String(validate=validate.Length(min=1, max=36)), required=True,
                           validate=validate.Length(min=1, max=MAX_TASKS))
    data = fields.Dict(keys=fields.String(), load_default=dict)


class OutcomeSchema(Schema):
    task_id = fields.String()
    ok = fields.Boolean()
    status = fields.Integer(metadata={"description": "the HTTP status completing this task alone would give"})
    code = fields.String()
    message = fields.String()
    fields_ = fields.Dict(data_key="fields", attribute="fields")
    name = fields.String()
    business_key = fields.String(allow_none=True)
    on_behalf_of = fields.String(allow_none=True)


class BulkResultSchema(Schema):
    completed = fields.Integer()
    failed = fields.Integer()
    items = fields.List(fields.Nested(OutcomeSchema))


# -- absences and substitutes ----------------------------------------------------------------------
class AbsenceSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    substitute = fields.String()
    tenant = fields.String(attribute="tenant_id")
    starts_on = fields.Date(attribute="first_day")
    ends_on = fields.Date(attribute="last_day", metadata={"description": "the last day of absence (inclusive)"})
    starts_at = fields.DateTime()
    ends_at = fields.DateTime(metadata={"description": "exclusive: 24:00 of the last day, Asia/Shanghai"})
    note = fields.String()
    created_at = fields.DateTime()
    created_by = fields.String()
    cancelled_at = fields.DateTime(allow_none=True)


class AbsenceCreateSchema(Schema):
    substitute = fields.String(required=True, validate=validate.Length(min=1, max=64))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True, metadata={"description": "the last day of absence (inclusive)"})
    note = fields.String(load_default="", validate=validate.Length(max=200))
    username = fields.String(load_default=None, validate=validate.Length(max=64),
                             metadata={"description": "admins: the absent user (default: me)"})


class AbsenceQuerySchema(Schema):
    include_past = fields.Boolean(load_default=False)


class ColleagueSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    shared_roles = fields.Function(lambda c: sorted(c.shared_roles))


# -- notifications ------------------------------------------------------------------------------------
class NotificationQuerySchema(PageArgs):
    unread = fields.Boolean(load_default=False, metadata={"description": "only unread ones"})


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": " | ".join(KINDS)})
    task_id = fields.String()
    task_name = fields.String()
    process_key = fields.String()
    business_key = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    on_behalf_of = fields.String(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class NotificationPageSchema(PageSchema):
    items = fields.List(fields.Nested(NotificationSchema))
    unread = fields.Integer()


class ReadAllSchema(Schema):
    marked = fields.Integer()
