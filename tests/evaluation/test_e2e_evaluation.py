"""Process efficiency_evaluation end to end through the API (M.33–M.34, P.4(7), M.27): feedback and
resource evidence → computed scores (weighted, a missing indicator reweighted or fixed) → the authority
sends it back → corrected feedback → computed again → eitc sends it back → both approve → published
results each party sees as far as it is concerned, and the vendors' coefficients for 2025Q4.

Hand computation (vendor scheme: service 40, delivery 30, operation 30, missing → reweighted):
- 云服务商甲 (xuhui): service mean(5, 4) = 4.5 → (4.5 − 1) × 25 = 87.50; delivery 3 of 4 steps on time
  (one escalated for a late opening; the unit's own late verification does not count) = 75.00;
  operation 24 of the 30 days in service metered = 80.00 → (87.5×40 + 75×30 + 80×30)/100 = 81.50 →
  良好, coefficient 0.98.
- 云服务商乙 (huangpu): service 2 → 25.00, no delivery step (missing), operation 46 of 92 days = 50.00
  → (25×40 + 50×30)/70 = 35.71 → 0.90; re-rated 5 → service 100 → (100×40 + 50×30)/70 = 78.57 → 0.95.
- 云服务商丙: no evidence at all → not evaluated, pays at 1.0.
Units (use 60, rectification 40, missing → 50): xuhui (90, 100) → 94.00 高效; huangpu (70, —) →
(70×60 + 50×40)/100 = 62.00 一般.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.evaluation.models import EfficiencyCoefficient
from app.extensions import db
from app.security import all_tenants
from tests.evaluation import evidence
from tests.evaluation.conftest import UNIT_SCHEME, UNIT_SCORES, VENDOR_SCHEME
from tests.resources.conftest import open_element_ids

APPROVE = {"authority_decision": "approve", "authority_comment": "同意"}


def evidence_for_q3(world) -> None:
    a1 = evidence.allocation(world["unit"], starts_on=date(2025, 9, 1), number="R-XH-1")
    evidence.delivery(a1, at=evidence.at(9, 1))
    evidence.delivery(a1, at=evidence.at(9, 5), escalation="测试资源开通逾期（第十九条：五个工作日内）")
    evidence.delivery(a1, at=evidence.at(9, 10), kind="formal_opened",
                      escalation="测试资源验证逾期（第十九条：一个月内）")
    evidence.delivery(a1, at=evidence.at(9, 20), kind="expanded")
    evidence.delivery(a1, at=evidence.at(10, 2), kind="expanded", escalation="扩容实施逾期")  # in Q4: not counted
    evidence.usage(a1, [date(2025, 9, d) for d in range(1, 25)])
    a2 = evidence.allocation(world["hp_unit"], starts_on=date(2025, 6, 1), number="R-HP-1")
    evidence.usage(a2, evidence.q3_days()[::2])
    UNIT_SCORES["test.unit_use"].update({world["xh_unit_org"].id: Decimal(90), world["hp_unit_org"].id: Decimal(70)})
    UNIT_SCORES["test.unit_rectify"].update({world["xh_unit_org"].id: Decimal(100)})


def scores(api, evaluation_id) -> dict[str, tuple]:
    rows = api.get("authority", f"/evaluations/{evaluation_id}/results")
    return {r["organisation"]: (r["score"], r["grade"], r["coefficient"]) for r in rows}


def test_evaluation_scored_sent_back_twice_published_with_next_quarter_coefficients(api, world):
    api.put("authority", "/evaluation-schemes/vendor", VENDOR_SCHEME)
    api.put("authority", "/evaluation-schemes/unit", UNIT_SCHEME)
    evidence_for_q3(world)
    v1, v2 = world["v1"].id, world["v2"].id
    api.post("xh_operator", "/vendor-feedback", {"vendor_id": v1, "period": "2025Q3", "rating": 5})
    api.post("unit", "/vendor-feedback", {"vendor_id": v1, "period": "2025Q3", "rating": 4, "comment": "响应及时"})
    api.post("hp_operator", "/vendor-feedback", {"vendor_id": v2, "period": "2025Q3", "rating": 2,
                                                 "comment": "故障恢复慢"})

    api.post("unit", "/evaluations", {"period": "2025Q3"}, status=403)
    started = api.post("authority", "/evaluations", {"period": "2025Q3"})
    evaluation, instance = started["id"], started["instance_id"]
    assert (started["period"], started["status"], started["rounds"]) == ("2025Q3", "computed", 1)
    assert scores(api, evaluation) == {
        "云服务商甲": ("81.50", "良好", "0.9800"), "云服务商乙": ("35.71", "不合格", "0.9000"),
        "徐汇区卫健委": ("94.00", "高效", None), "黄浦区卫健委": ("62.00", "一般", None)}
    detail = {r["organisation"]: r["details"] for r in api.get("authority", f"/evaluations/{evaluation}/results")}
    assert detail["云服务商乙"]["vendor.delivery"] == {"score": None, "weight": "30.00", "counted": None}
    assert detail["黄浦区卫健委"]["test.unit_rectify"] == {"score": None, "weight": "40.00", "counted": "50.00"}
    # Unpublished: absent to everyone but the city roles.
    api.get("unit", f"/evaluations/{evaluation}", status=404)
    assert api.get("vendor1", "/evaluation-results") == [] and api.get("unit", "/evaluations") == []
    api.post("authority", "/evaluations", {"period": "2025Q3"}, status=409)

    task = api.task("authority", instance, "Task_AuthorityReview")
    form = api.get("authority", f"/tasks/{task}")
    assert form["data"]["vendor_count"] == 2 and form["data"]["period_label"] == "2025Q3"
    api.complete("authority", instance, "Task_AuthorityReview", {"authority_decision": "return"}, status=422)
    api.complete("authority", instance, "Task_AuthorityReview",
                 {"authority_decision": "return", "authority_comment": "黄浦区对乙的评分有误，已通知更正"})
    # Sent back and computed again at once; the correction arrives before the next review.
    api.post("hp_operator", "/vendor-feedback", {"vendor_id": v2, "period": "2025Q3", "rating": 5}, status=200)
    api.complete("authority", instance, "Task_AuthorityReview",
                 {"authority_decision": "return", "authority_comment": "按更正后的反馈重新计算"})
    assert api.get("authority", f"/evaluations/{evaluation}")["rounds"] == 3
    assert scores(api, evaluation)["云服务商乙"] == ("78.57", "合格", "0.9500")

    api.complete("authority", instance, "Task_AuthorityReview", APPROVE)
    api.complete("eitc", instance, "Task_EitcReview", {"eitc_decision": "return", "eitc_comment": "请复核运行指标"})
    returned = api.get("authority", f"/evaluations/{evaluation}")
    assert (returned["rounds"], returned["returned_reason"]) == (4, "请复核运行指标")
    assert open_element_ids(instance) == ["Task_AuthorityReview"]
    api.complete("authority", instance, "Task_AuthorityReview", APPROVE)
    api.complete("eitc", instance, "Task_EitcReview", {"eitc_decision": "approve", "eitc_comment": "同意发布"})

    published = api.get("unit", f"/evaluations/{evaluation}")
    assert (published["status"], published["published_by"]) == ("published", "eitc1")
    rows = db.session.scalars(all_tenants(select(EfficiencyCoefficient)
                                          .order_by(EfficiencyCoefficient.organisation_id)))
    q4 = (date(2025, 10, 1), date(2025, 12, 31))
    assert [(r.organisation_id, (r.applies_from, r.applies_to), r.coefficient, r.score, r.evaluation_id)
            for r in rows] == [(v1, q4, Decimal("0.9800"), Decimal("81.50"), evaluation),
                               (v2, q4, Decimal("0.9500"), Decimal("78.57"), evaluation)]
    # M.34: each sees what concerns it.
    assert [r["organisation"] for r in api.get("unit", "/evaluation-results")] == ["徐汇区卫健委"]
    assert [r["organisation"] for r in api.get("vendor1", f"/evaluations/{evaluation}/results")] == ["云服务商甲"]
    assert [r["organisation"] for r in api.get("hp_operator", "/evaluation-results")] == ["黄浦区卫健委"]
    assert len(api.get("bdc", "/evaluation-results")) == 4
    hidden = next(r["id"] for r in api.get("authority", "/evaluation-results") if r["organisation"] == "云服务商甲")
    api.get("vendor2", f"/evaluation-results/{hidden}", status=404)
    api.get("vendor1", f"/evaluation-results/{hidden}", status=200)
