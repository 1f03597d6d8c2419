"""API schemas for evaluation schemes, evaluations, results and vendor feedback. Scores and
coefficients travel as decimal strings."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate

from app.evaluation.indicators import SUBJECTS
from app.evaluation.models import EVALUATION_STATES, MISSING_POLICIES
from app.evaluation.scoring import parse_quarter, quarter_label


class WeightSchema(Schema):
    indicator = fields.String(required=True, validate=validate.Length(min=1, max=64))
    weight = fields.Decimal(as_string=True, places=2, required=True)


class GradeSchema(Schema):
    grade = fields.String(required=True, validate=validate.Length(min=1, max=32))
    min_score = fields.Decimal(as_string=True, places=2, required=True)


class BandSchema(Schema):
    min_score = fields.Decimal(as_string=True, places=2, required=True)
    max_score = fields.Decimal(as_string=True, places=2, required=True)
    coefficient = fields.Decimal(as_string=True, places=4, required=True)


class SchemeInSchema(Schema):
    missing_policy = fields.String(required=True, metadata={"enum": list(MISSING_POLICIES), "description": (
        "zero: a missing indicator counts 0; fixed: counts missing_score; reweight: left out, "
        "the other weights scaled to 100")})
    missing_score = fields.Decimal(as_string=True, places=2, load_default=None, allow_none=True)
    weights = fields.List(fields.Nested(WeightSchema), required=True, metadata={"description": "must add up to 100"})
    grades = fields.List(fields.Nested(GradeSchema), load_default=list)
    bands = fields.List(fields.Nested(BandSchema), load_default=list, metadata={
        "description": "score ranges [min, max) → settlement coefficient; contiguous over 0–100, "
                       "coefficient in (0, 1.2]"})


class SchemeSchema(SchemeInSchema):
    subject = fields.String(metadata={"enum": list(SUBJECTS)})
    updated_by = fields.String()
    updated_at = fields.DateTime()


class IndicatorSchema(Schema):
    key = fields.String()
    subject = fields.String()
    label = fields.Function(lambda i: str(i.label))


class EvaluationStartSchema(Schema):
    period = fields.String(load_default=None, metadata={"description": "a quarter, e.g. 2025Q3"})
    period_start = fields.Date(load_default=None)
    period_end = fields.Date(load_default=None)

    @post_load
    def dates(self, data, **kwargs):
        if data.get("period"):
            try:
                data["period_start"], data["period_end"] = parse_quarter(data["period"])
            except ValueError:
                raise ValidationError("Write a quarter as 2025Q3.", field_name="period")
        if not data.get("period_start") or not data.get("period_end"):
            raise ValidationError("Give a period, or period_start and period_end.", field_name="period")
        return {"period_start": data["period_start"], "period_end": data["period_end"]}


class EvaluationSchema(Schema):
    id = fields.Integer()
    period_start = fields.Date()
    period_end = fields.Date()
    period = fields.Function(lambda e: quarter_label(e.period_start, e.period_end))
    status = fields.String(metadata={"enum": list(EVALUATION_STATES)})
    rounds = fields.Integer()
    instance_id = fields.Integer(allow_none=True)
    started_by = fields.String()
    computed_at = fields.DateTime(allow_none=True)
    returned_reason = fields.String()
    published_at = fields.DateTime(allow_none=True)
    published_by = fields.String(allow_none=True)


class EvaluationResultSchema(Schema):
    id = fields.Integer()
    evaluation_id = fields.Integer()
    period = fields.Function(lambda r: quarter_label(r.evaluation.period_start, r.evaluation.period_end))
    organisation_id = fields.Integer()
    organisation = fields.Function(lambda r: r.organisation.name)
    tenant = fields.String(attribute="tenant_id")
    subject = fields.String()
    score = fields.Decimal(as_string=True, places=2)
    grade = fields.String()
    coefficient = fields.Decimal(as_string=True, places=4, allow_none=True)
    details = fields.Dict(metadata={"description": "indicator → {score, weight, counted}"})


class ResultQuerySchema(Schema):
    evaluation_id = fields.Integer(load_default=None)
    subject = fields.String(load_default=None, validate=validate.OneOf(SUBJECTS))


class FeedbackInSchema(Schema):
    vendor_id = fields.Integer(required=True)
    period = fields.String(required=True, metadata={"description": "the quarter rated, e.g. 2025Q3"})
    rating = fields.Integer(required=True, strict=True, metadata={"description": "1 (poor) to 5 (excellent)"})
    comment = fields.String(load_default="", validate=validate.Length(max=2000))

    @post_load
    def dates(self, data, **kwargs):
        try:
            data["period_start"], data["period_end"] = parse_quarter(data.pop("period"))
        except ValueError:
            raise ValidationError("Write a quarter as 2025Q3.", field_name="period")
        return data


class FeedbackSchema(Schema):
    id = fields.Integer()
    tenant = fields.String(attribute="tenant_id")
    rater_organisation_id = fields.Integer()
    rater = fields.Function(lambda f: f.rater.name)
    vendor_id = fields.Integer()
    vendor = fields.Function(lambda f: f.vendor.name)
    period = fields.Function(lambda f: quarter_label(f.period_start, f.period_end))
    period_start = fields.Date()
    period_end = fields.Date()
    rating = fields.Integer()
    comment = fields.String()
    rated_by = fields.String()
    rated_at = fields.DateTime()


class FeedbackQuerySchema(Schema):
    vendor_id = fields.Integer(load_default=None)
    period = fields.String(load_default=None)
