"""Objects of xuhui (or not yet published) for the cross-tenant sweep (tests/foundation/test_isolation_sweep.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.evaluation.models import Evaluation, EvaluationResult, VendorFeedback
from app.extensions import db
from tests import builders


def _evaluation(status: str) -> Evaluation:
    evaluation = Evaluation(period_start=date(2030, 1, 1), period_end=date(2030, 3, 31), status=status,
                            started_by="authority1", schemes={})
    db.session.add(evaluation)
    db.session.commit()
    return evaluation


def unpublished_evaluation(client, auth) -> dict:
    """Under review: absent to a district until published (M.34)."""
    return {"evaluation_id": _evaluation("computed").id}


def xuhui_result(client, auth) -> dict:
    unit = builders.organisation(kind="district_unit", tenant="xuhui", code="xuhui.probe")
    result = EvaluationResult(evaluation_id=_evaluation("published").id, tenant_id="xuhui", organisation_id=unit.id,
                              subject="unit", score=Decimal(80), details={})
    db.session.add(result)
    db.session.commit()
    return {"result_id": result.id}


def xuhui_feedback(client, auth) -> dict:
    rater = builders.organisation(kind="district_operator", tenant="xuhui", code="xuhui.probe.operator")
    vendor = builders.organisation(kind="vendor", tenant="city", code="vendor.probe")
    row = VendorFeedback(tenant_id="xuhui", rater_organisation_id=rater.id, vendor_id=vendor.id,
                         period_start=date(2030, 1, 1), period_end=date(2030, 3, 31), rating=4, rated_by="xh")
    db.session.add(row)
    db.session.commit()
    return {"feedback_id": row.id}


PROBES = {
    "evaluation_api.EvaluationById": unpublished_evaluation,
    "evaluation_api.EvaluationResults": unpublished_evaluation,
    "evaluation_api.ResultById": xuhui_result,
    "evaluation_api.FeedbackById": xuhui_feedback,
}
BODIES: dict[str, dict] = {}
MISSING = {"evaluation_id": 999999, "result_id": 999999, "feedback_id": 999999}
# Schemes are city-wide configuration, readable by everyone: no tenant object behind the subject.
NOT_TENANT_OBJECTS = {"evaluation_api.SchemeBySubject"}
