"""API schemas for human tasks."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app import clock


class TaskQuerySchema(Schema):
    scope = fields.String(load_default="all", validate=validate.OneOf(["mine", "candidate", "all"]))
    process_key = fields.String(load_default=None)
    tenant = fields.String(load_default=None)
    overdue = fields.Boolean(load_default=None)
    due_before = fields.AwareDateTime(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


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
    overdue = fields.Method("get_overdue")
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    documentation = fields.String(allow_none=True)

    def get_overdue(self, task) -> bool:
        return task.status == "open" and task.due_at is not None and task.due_at < clock.now()


class TaskPageSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class TaskDetailSchema(TaskSchema):
    form = fields.Dict(allow_none=True, metadata={"description": "the Camunda Form (form-js JSON)"})
    data = fields.Dict()


class CompleteSchema(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)
