"""API schemas for definitions, deployments, instances, history and incidents."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api import PageSchema


class DefinitionSchema(Schema):
    key = fields.String()
    name = fields.String()
    version = fields.Integer()
    filename = fields.String()
    deployed_at = fields.DateTime()
    deployed_by = fields.String()
    running_instances = fields.Integer()


class DeploymentResultSchema(Schema):
    key = fields.String(attribute="definition.key")
    version = fields.Integer(attribute="definition.version")
    name = fields.String(attribute="definition.name")
    created = fields.Boolean(metadata={"description": "false when the same content was already deployed"})


class DeploymentFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class XmlQuerySchema(Schema):
    version = fields.Integer(load_default=None, validate=validate.Range(min=1))


class StartInstanceSchema(Schema):
    process_key = fields.String(required=True, validate=validate.Length(min=1, max=100))
    business_key = fields.String(load_default=None, validate=validate.Length(max=200))
    variables = fields.Dict(keys=fields.String(), load_default=dict)
    tenant = fields.String(load_default=None, validate=validate.Length(max=32),
                           metadata={"description": "city roles may start an instance for a district"})


class InstanceQuerySchema(Schema):
    process_key = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(
        ["running", "suspended", "completed", "cancelled"]))
    business_key = fields.String(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class InstanceSchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    version = fields.Integer(attribute="definition.version")
    business_key = fields.String(allow_none=True)
    tenant = fields.String(attribute="tenant_id")
    status = fields.String()
    started_by = fields.String()
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    has_incident = fields.Boolean()


class InstancePageSchema(PageSchema):
    items = fields.List(fields.Nested(InstanceSchema))


class TimerSchema(Schema):
    id = fields.Integer()
    element_id = fields.String()
    due_at = fields.DateTime()
    due_provisional = fields.Boolean()
    status = fields.String()


class IncidentSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    element_id = fields.String(allow_none=True)
    error_type = fields.String()
    message = fields.String()
    line = fields.Integer(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)


class OpenTaskSchema(Schema):
    id = fields.String()
    element_id = fields.String()
    name = fields.String()
    candidate_groups = fields.List(fields.String())
    assignee = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)


class InstanceDetailSchema(InstanceSchema):
    active_element_ids = fields.List(fields.String())
    completed_element_ids = fields.List(fields.String())
    variables = fields.Dict()
    timers = fields.List(fields.Nested(TimerSchema))
    incidents = fields.List(fields.Nested(IncidentSchema))
    tasks = fields.List(fields.Nested(OpenTaskSchema))


class AuditEventSchema(Schema):
    seq = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    on_behalf_of = fields.String(allow_none=True)
    kind = fields.String()
    element_id = fields.String(allow_none=True)
    details = fields.Dict()
    hash = fields.String()


class MessageSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    variables = fields.Dict(keys=fields.String(), load_default=dict)


class CancelSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=1000))


class IncidentQuerySchema(Schema):
    status = fields.String(load_default="open", validate=validate.OneOf(["open", "resolved"]))
