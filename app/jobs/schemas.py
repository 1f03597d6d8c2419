"""API schemas for timers and job runs (admins)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api import PageSchema
from app.jobs.models import OUTCOMES


class SchedulerTimerQuerySchema(Schema):
    status = fields.String(load_default="pending", validate=validate.OneOf(["pending", "fired", "cancelled"]))
    overdue = fields.Boolean(load_default=None)
    process_key = fields.String(load_default=None)
    instance_id = fields.Integer(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class SchedulerTimerSchema(Schema):
    id = fields.Integer(attribute="timer.id")
    instance_id = fields.Integer(attribute="timer.instance_id")
    tenant = fields.String(attribute="timer.tenant_id")
    process_key = fields.String()
    business_key = fields.String(allow_none=True)
    instance_status = fields.String()
    element_id = fields.String(attribute="timer.element_id")
    status = fields.String(attribute="timer.status")
    due_at = fields.DateTime(attribute="timer.due_at")
    due_provisional = fields.Boolean(attribute="timer.due_provisional")
    fired_at = fields.DateTime(attribute="timer.fired_at", allow_none=True)
    lateness_seconds = fields.Float(allow_none=True, metadata={
        "description": "pending: how long it has been due; fired: how late it fired"})
    attempts = fields.Integer(attribute="timer.attempts", metadata={"description": "consecutive failed tries"})
    last_error = fields.String(attribute="timer.last_error", allow_none=True)
    stuck = fields.Boolean(metadata={"description": "the scheduler stopped trying: retry after fixing the cause"})


class SchedulerTimerPageSchema(PageSchema):
    items = fields.List(fields.Nested(SchedulerTimerSchema))


class RetriedTimerSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    attempts = fields.Integer()


class JobRunQuerySchema(Schema):
    job = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(OUTCOMES))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class JobRunSchema(Schema):
    id = fields.Integer()
    job = fields.String()
    status = fields.String(metadata={"description": "running, ok, warning, failed or abandoned"})
    trigger = fields.String()
    owner = fields.String(metadata={"description": "host:pid of the process that ran it"})
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    duration_seconds = fields.Float(allow_none=True)
    message = fields.String(allow_none=True)
    error = fields.String(allow_none=True)


class JobSchema(Schema):
    name = fields.String()
    description = fields.String()
    schedule = fields.String(metadata={"description": "APScheduler trigger, Asia/Shanghai"})
    last_run = fields.Nested(JobRunSchema, allow_none=True)
