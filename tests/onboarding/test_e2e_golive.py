"""M.30 end to end: the unit's four security steps with evidence, bdc's check (return for changes,
refusal), the generated commitment the unit signs — and formal opening (M.19) refused until then."""
from __future__ import annotations

import pytest

from app.errors import Conflict
from app.extensions import db
from app.onboarding.golive import CHECKLISTS
from app.resources import actions
from tests.onboarding.builders import golive_complete
from tests.resources.conftest import approved_project

STAGES = [("Task_ResourceRequest", "resource_request"), ("Task_SelfCheck", "self_check"),
          ("Task_Assessment", "assessment"), ("Task_Hardening", "hardening")]


def stage_data(stage: str, evidence: int, note: str = "") -> dict:
    return {f"{stage}_items": list(CHECKLISTS[stage]), f"{stage}_evidence": str(evidence), f"{stage}_note": note}


def through_the_unit_steps(flow, instance_id: int) -> None:
    for element, stage in STAGES:
        flow.complete("unit", instance_id, element, stage_data(stage, flow.upload("unit", f"{stage}.pdf")))


def test_security_steps_return_then_commitment_signed(flow, world):
    project = approved_project(world["unit"])
    check = flow.post("unit", "/golive-checks", {"project_id": project.id})
    assert check["number"].startswith("SX-2025-") and check["status"] == "in_progress"
    instance = check["instance_id"]

    # A checklist with an item missing, or evidence of another district, is refused on the form.
    mine, theirs = flow.upload("unit", "waf.pdf"), flow.upload("hp_unit", "theirs.pdf")
    partial = {**stage_data("resource_request", mine), "resource_request_items": ["waf"]}
    refused = flow.complete("unit", instance, "Task_ResourceRequest", partial, status=422)
    assert "host_security" in refused["error"]["fields"]["resource_request_items"][0]
    refused = flow.complete("unit", instance, "Task_ResourceRequest", stage_data("resource_request", theirs), 422)
    assert refused["error"]["fields"] == {"resource_request_evidence": [f"No such attachment: {theirs}."]}
    assert flow.complete("unit", instance, "Task_ResourceRequest", stage_data("resource_request", "")
                         | {"resource_request_evidence": ""}, status=422)["error"]["fields"]
    flow.complete("unit", instance, "Task_ResourceRequest", stage_data("resource_request", mine))
    for element, stage in STAGES[1:]:
        flow.complete("unit", instance, element, stage_data(stage, flow.upload("unit", f"{stage}.pdf")))

    # bdc returns the hardening for changes (a reason is required), the unit redoes it.
    assert flow.complete("bdc", instance, "Task_BdcReview", {"review_decision": "return"}, status=422)[
        "error"]["fields"] == {"review_comment": ["Give the reason."]}
    flow.complete("bdc", instance, "Task_BdcReview", {"review_decision": "return", "review_comment": "弱口令未整改"})
    assert flow.get("unit", f"/golive-checks/{check['id']}")["review_note"] == "弱口令未整改"
    assert flow.variables("unit", instance, "Task_Hardening")["returned_note"] == "弱口令未整改"
    flow.complete("unit", instance, "Task_Hardening", stage_data("hardening", flow.upload("unit", "fix.pdf"), "已整改"))
    flow.complete("bdc", instance, "Task_BdcReview", {"review_decision": "approve", "review_comment": "符合要求"})

    # The commitment is generated from the project's data; the unit confirms it.
    text = flow.variables("unit", instance, "Task_SignCommitment")["commitment_text"]
    assert "上云安全承诺书" in text and project.name in text and project.code in text and "等级保护第2级" in text
    assert "安全加固：3 项已完成" in text
    assert flow.complete("unit", instance, "Task_SignCommitment", {}, status=422)["error"]["fields"]
    flow.complete("unit", instance, "Task_SignCommitment", {"commitment_confirmed": True})

    done = flow.get("unit", f"/golive-checks/{check['id']}")
    assert (done["status"], done["signed_by"]) == ("complete", "xh.unit")
    assert done["commitment_text"] == text and len(done["commitment_sha256"]) == 64
    assert [s["stage"] for s in done["steps"]] == ["resource_request", "self_check", "assessment", "hardening",
                                                   "hardening"]
    assert done["steps"][-1]["note"] == "已整改"
    assert open_elements(instance) == []
    flow.post("unit", "/golive-checks", {"project_id": project.id}, status=409)  # already complete


def test_bdc_refuses_go_live(flow, world):
    project = approved_project(world["unit"])
    check = flow.post("unit", "/golive-checks", {"project_id": project.id})
    flow.post("unit", "/golive-checks", {"project_id": project.id}, status=409)  # one at a time
    through_the_unit_steps(flow, check["instance_id"])
    flow.complete("bdc", check["instance_id"], "Task_BdcReview",
                  {"review_decision": "refuse", "review_comment": "等保测评未通过"})
    refused = flow.get("unit", f"/golive-checks/{check['id']}")
    assert (refused["status"], refused["review_note"], refused["signed_by"]) == ("refused", "等保测评未通过", None)
    assert open_elements(check["instance_id"]) == []
    flow.post("unit", "/golive-checks", {"project_id": project.id})  # it may start again


def test_only_the_projects_unit_starts_and_other_districts_see_nothing(flow, world):
    project = approved_project(world["unit"])
    flow.post("other_unit", "/golive-checks", {"project_id": project.id}, status=404)  # another unit's project
    flow.post("hp_unit", "/golive-checks", {"project_id": project.id}, status=404)
    check = flow.post("unit", "/golive-checks", {"project_id": project.id})
    flow.get("hp_unit", f"/golive-checks/{check['id']}", status=404)
    flow.get("hp_operator", f"/golive-checks/{check['id']}", status=404)
    assert flow.get("hp_operator", "/golive-checks") == []
    assert flow.get("bdc", f"/golive-checks/{check['id']}")["project_name"] == project.name
    task = flow.task(check["instance_id"], "Task_ResourceRequest")
    flow.call("unit2", "POST", f"/tasks/{task}/complete",
              {"data": stage_data("resource_request", flow.upload("unit2"))}, status=403)


# -- the rule on formal opening ------------------------------------------------------------------------
PROJECT = {"name": "互联网医院", "description": "预约挂号", "mlps_level": 3,
           "quotas": [{"item_code": "IAAS-VCPU", "quantity": "64"}]}


def to_formal_opening(flow) -> dict:
    application = flow.post("unit", "/projects", PROJECT)
    instance = application["instance_id"]
    flow.complete("eitc", instance, "Task_ReviewQuota", {"quota_decision": "approve"})
    flow.complete("unit", instance, "Task_ApplyTest", {"contact_name": "陈工", "contact_phone": "13800000000",
                                                       "test_plan": "功能验证", "test_confirm": True})
    flow.complete("bdc", instance, "Task_OpenTest", {"open_decision": "approve"})
    flow.complete("unit", instance, "Task_VerifyTest", {"verify_result": "passed", "verify_note": "通过"})
    return application


def test_formal_opening_is_refused_until_go_live_security_is_complete(flow, world):
    application = to_formal_opening(flow)
    instance, project_id = application["instance_id"], application["project_id"]

    refused = flow.complete("bdc", instance, "Task_OpenFormal", {"formal_opened": True}, status=409)
    assert refused["error"]["code"] == "golive_security_incomplete" and "Article 30" in refused["error"]["message"]
    assert open_elements(instance) == ["Task_OpenFormal"]  # the task stays with bdc, nothing ran
    assert {(r["kind"], r["state"]) for r in flow.get("unit", f"/resources?project_id={project_id}")} == {
        ("test", "open")}

    # The same rule in the service the diagram's step calls (any other path to formal opening).
    record = actions.for_step(db.session, application["id"], "xuhui")
    with pytest.raises(Conflict) as blocked:
        actions.open_formal(db.session, record, by="bdc1", now=None)
    assert blocked.value.code == "golive_security_incomplete"
    db.session.rollback()

    # An unfinished check does not count either.
    check = flow.post("unit", "/golive-checks", {"project_id": project_id})
    through_the_unit_steps(flow, check["instance_id"])
    flow.complete("bdc", instance, "Task_OpenFormal", {"formal_opened": True}, status=409)

    flow.complete("bdc", check["instance_id"], "Task_BdcReview", {"review_decision": "approve"})
    flow.complete("unit", check["instance_id"], "Task_SignCommitment", {"commitment_confirmed": True})
    flow.complete("bdc", instance, "Task_OpenFormal", {"formal_opened": True})
    assert {(r["kind"], r["state"]) for r in flow.get("unit", f"/resources?project_id={project_id}")} == {
        ("formal", "open")}
    assert flow.get("unit", f"/resource-applications/{application['id']}")["status"] == "done"


def test_another_districts_go_live_does_not_open_this_project(flow, world):
    application = to_formal_opening(flow)
    other = approved_project(world["hp_unit"])
    golive_complete(other.id, other.tenant_id)
    flow.complete("bdc", application["instance_id"], "Task_OpenFormal", {"formal_opened": True}, status=409)


def open_elements(instance_id: int) -> list[str]:
    from tests.resources.conftest import open_element_ids

    return open_element_ids(instance_id)
