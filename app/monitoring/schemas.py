"""API schemas for utilisation, detection rules and findings (M.13, M.25)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.monitoring.models import ACTIVE, CLOSED, RULE_KEYS
from app.resources.schemas import StepSchema

Percent = fields.Decimal(as_string=True, places=2)
Megabytes = fields.Decimal(as_string=True, places=3)


class SampleRowSchema(Schema):
    system = fields.Raw(required=True, metadata={"description": "project id (12) or code (XM-2025-00012)"})
    at = fields.String(required=True, metadata={"description": "ISO 8601 moment (naive = Shanghai) or a day"})
    cpu = fields.String(required=True, metadata={"description": "average CPU use, % (0–100)"})
    memory = fields.String(required=True, metadata={"description": "average memory use, % (0–100)"})
    disk_io = fields.String(required=True, metadata={"description": "disk I/O in MB since the last sample"})
    network_io = fields.String(required=True, metadata={"description": "network I/O in MB since the last sample"})
    requests = fields.Integer(required=True, metadata={"description": "business requests (visits)"})
    logins = fields.Integer(required=True)
    api_calls = fields.Integer(required=True)
    source = fields.String(metadata={"description": "the collector's own label"})


class SampleUploadSchema(Schema):
    """The JSON form; a CSV file (``file=``) with the same column names also works."""

    rows = fields.List(fields.Nested(SampleRowSchema), required=True)


class SampleRejectedRowSchema(Schema):
    row = fields.Integer(metadata={"description": "1 = the first data row"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class SampleIngestResultSchema(Schema):
    accepted = fields.Integer()
    rejected = fields.List(fields.Nested(SampleRejectedRowSchema))


class SpanQuerySchema(Schema):
    day_from = fields.Date(load_default=None, data_key="from")
    day_to = fields.Date(load_default=None, data_key="to")


class DailySchema(Schema):
    day = fields.Date()
    samples = fields.Integer()
    cpu_avg = Percent
    cpu_max = Percent
    memory_avg = Percent
    disk_io_mb = Megabytes
    network_io_mb = Megabytes
    requests = fields.Integer()
    logins = fields.Integer()
    api_calls = fields.Integer()


class RuleSchema(Schema):
    key = fields.String(dump_only=True, metadata={"enum": list(RULE_KEYS)})
    enabled = fields.Boolean()
    window_days = fields.Integer(metadata={"description": "days looked back (complete days before today)"})
    min_days = fields.Integer(metadata={"description": "days of the window that must meet the rule"})
    cpu_max_pct = fields.Decimal(as_string=True, places=2, allow_none=True,
                                 metadata={"description": "a day is low when its average CPU is at most this"})
    network_max_mb = fields.Decimal(as_string=True, places=3, allow_none=True,
                                    metadata={"description": "… and its network I/O at most this many MB"})
    business_max = fields.Integer(metadata={"description": "… and requests + logins + API calls at most this"})
    rectify_workdays = fields.Integer(metadata={"description": "working days the unit has to rectify"})
    updated_by = fields.String(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class RuleUpdateSchema(RuleSchema):
    cpu_max_pct = fields.Decimal(allow_none=True, validate=validate.Range(min=0))
    network_max_mb = fields.Decimal(allow_none=True, validate=validate.Range(min=0))


class FindingQuerySchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(ACTIVE + CLOSED))
    rule = fields.String(load_default=None, validate=validate.OneOf(RULE_KEYS))
    project_id = fields.Integer(load_default=None)
    open = fields.Boolean(load_default=False)


class FindingSchema(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "the warning process's business key"})
    project_id = fields.Integer()
    project_code = fields.String(attribute="project.code")
    project_name = fields.String(attribute="project.name")
    tenant = fields.String(attribute="tenant_id")
    rule = fields.String(attribute="rule_key")
    status = fields.String(metadata={"enum": list(ACTIVE + CLOSED)})
    detected_on = fields.Date()
    window_start = fields.Date()
    window_end = fields.Date()
    days_with_data = fields.Integer()
    days_matched = fields.Integer()
    cpu_avg = Percent
    cpu_peak = Percent
    network_mb_avg = Megabytes
    business_total = fields.Integer()
    last_change_at = fields.DateTime(allow_none=True)
    thresholds = fields.Dict()
    instance_id = fields.Integer(allow_none=True)
    warned_on = fields.Date(allow_none=True)
    rectify_due = fields.DateTime(allow_none=True)
    response = fields.String()
    response_note = fields.String()
    check = fields.Dict(attribute="check_figures", metadata={"description": "the next period's figures bdc saw"})
    reclaim_application_id = fields.Integer(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class FindingEventSchema(Schema):
    at = fields.DateTime()
    actor = fields.String()
    kind = fields.String()
    status_after = fields.String()
    note = fields.String()


class FindingDetailSchema(FindingSchema):
    evidence = fields.String()
    history = fields.List(fields.Nested(FindingEventSchema))
    open_steps = fields.List(fields.Nested(StepSchema))
