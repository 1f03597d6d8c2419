"""Process 2 end to end through the API (M.18, M.19): quota → eitc → test resources → bdc opens
within 5 WD → unit verifies within a month (reminder, escalation) → formal opening within 2 WD.
Timers fire on the scheduler's clock, straddling the National Day holiday and its makeup days."""
from __future__ import annotations

from datetime import UTC, datetime

from app.extensions import db
from app.security import all_tenants
from app.workflow.models import ProcessInstance
from tests.onboarding.builders import golive_complete
from tests.resources.conftest import fire, open_element_ids, pending_timer

PROJECT = {"name": "互联网医院", "description": "预约挂号与在线问诊", "mlps_level": 3, "periodic": True,
           "periodic_load": "每年冬季流感高峰", "quotas": [
               {"item_code": "IAAS-VCPU", "quantity": "64", "peak_quantity": "96"},
               {"item_code": "IAAS-MEM", "quantity": "256"}]}
TEST_APPLICATION = {"contact_name": "陈工", "contact_phone": "13800000000", "test_plan": "压力测试与功能验证",
                    "test_confirm": True}


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def instance_status(instance_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(all_tenants(ProcessInstance.__table__.select().where(
        ProcessInstance.id == instance_id)).with_only_columns(ProcessInstance.status))


def test_quota_to_formal_resources_with_missed_deadlines_escalated(api, frozen):
    application = api.post("unit", "/projects", PROJECT)
    app_id, project_id = application["id"], application["project_id"]
    assert application["number"].startswith("PQ-2025-") and application["tenant"] == "xuhui"

    # M.18: eitc reviews and notifies bdc of the quota (periodic quota included).
    api.do("eitc", app_id, "Task_ReviewQuota", {"quota_decision": "approve", "quota_comment": "同意"})
    project = api.get("unit", f"/projects/{project_id}")
    assert project["status"] == "approved" and project["notified_at"]
    assert project["quotas"][0]["peak_quantity"] == "96.0000"

    # M.19: the unit applies for test resources; bdc has 5 working days.
    api.do("unit", app_id, "Task_ApplyTest", TEST_APPLICATION)
    step = api.step("bdc", app_id, "Task_OpenTest")
    # From Monday 22 September 09:00: 23, 24, 25, 26 and Sunday 28 (makeup workday) → 28 September 09:00.
    assert step["due_at"] == "2025-09-28T01:00:00+00:00"
    resources = api.get("unit", f"/resources?project_id={project_id}")
    assert {(r["kind"], r["state"], r["quantity"]) for r in resources} == {
        ("test", "requested", "64.0000"), ("test", "requested", "256.0000")}

    # The deadline passes: escalated, the task stays with bdc and is shown overdue.
    fire(frozen, application["instance_id"], "Event_OpenTestOverdue")
    detail = api.get("eitc", f"/resource-applications/{app_id}")
    assert detail["escalated_at"] and "第十九条" in detail["escalation"]
    assert [s["element_id"] for s in detail["open_steps"]] == ["Task_OpenTest"]
    overdue = api.get("bdc", "/tasks?scope=candidate&process_key=resource_application")["items"]
    assert overdue[0]["element_id"] == "Task_OpenTest" and overdue[0]["overdue"] is True

    frozen.current = shanghai(2025, 9, 29, 2, 0)  # Monday 29 September, 10:00
    api.do("bdc", app_id, "Task_OpenTest", {"open_decision": "approve", "review_comment": "已开通"})
    resources = api.get("unit", f"/resources?project_id={project_id}")
    assert {(r["state"], r["starts_on"]) for r in resources} == {("open", "2025-09-29")}

    # The unit verifies within one month: 29 October (art. 202), due at its 24:00 (art. 203).
    verify = api.step("unit", app_id, "Task_VerifyTest")
    assert verify["due_at"] == "2025-10-29T16:00:00+00:00"
    reminder = pending_timer(application["instance_id"], "Event_VerifyReminder")
    assert reminder.due_at == shanghai(2025, 10, 22, 1, 0)  # 5 working days before, 09:00
    fire(frozen, application["instance_id"], "Event_VerifyReminder")
    fire(frozen, application["instance_id"], "Event_VerifyOverdue")
    events = [e["kind"] for e in api.get("unit", f"/resource-applications/{app_id}")["events"]
              if e["allocation_id"] is None]
    assert events == ["quota_approved", "escalated", "reminder", "escalated"]
    assert api.get("bdc", f"/resource-applications/{app_id}")["escalation"].startswith("测试资源验证逾期")

    # The unit's notice: bdc opens formal resources within 2 working days.
    frozen.current = shanghai(2025, 10, 30, 1, 0)  # Thursday 30 October, 09:00
    api.do("unit", app_id, "Task_VerifyTest", {"verify_result": "passed", "verify_note": "验证通过"})
    formal = api.step("bdc", app_id, "Task_OpenFormal")
    assert formal["due_at"] == "2025-11-03T01:00:00+00:00"  # Friday 31 October, Monday 3 November
    golive_complete(project_id, "xuhui")  # M.30: go-live security done (tested in tests/onboarding)
    api.do("bdc", app_id, "Task_OpenFormal", {"formal_opened": True})

    resources = api.get("unit", f"/resources?project_id={project_id}")
    assert {(r["kind"], r["state"]) for r in resources} == {("formal", "open")}
    history = api.get("unit", f"/resources/{resources[0]['id']}")["history"]
    assert [h["kind"] for h in history] == ["requested", "opened", "formal_opened"]
    final = api.get("unit", f"/resource-applications/{app_id}")
    assert final["status"] == "done" and final["open_steps"] == []
    assert instance_status(application["instance_id"]) == "completed"


def test_rejected_quota_ends_the_chain(api, frozen):
    application = api.post("unit", "/projects", PROJECT)
    api.do("eitc", application["id"], "Task_ReviewQuota", {"quota_decision": "reject", "quota_comment": "重复建设"})
    detail = api.get("unit", f"/resource-applications/{application['id']}")
    assert (detail["status"], detail["decision_note"]) == ("rejected", "重复建设")
    assert api.get("unit", f"/projects/{application['project_id']}")["status"] == "rejected"
    assert instance_status(application["instance_id"]) == "completed"


def test_unit_withdraws_after_testing_and_test_resources_go_back(api, frozen):
    application = api.post("unit", "/projects", PROJECT)
    app_id = application["id"]
    api.do("eitc", app_id, "Task_ReviewQuota", {"quota_decision": "approve"})
    api.do("unit", app_id, "Task_ApplyTest", TEST_APPLICATION)
    api.do("bdc", app_id, "Task_OpenTest", {"open_decision": "approve"})
    api.do("unit", app_id, "Task_VerifyTest", {"verify_result": "withdrawn", "verify_note": "业务调整"})
    states = {r["state"] for r in api.get("unit", f"/resources?project_id={application['project_id']}")}
    assert states == {"reclaimed"}
    assert open_element_ids(application["instance_id"]) == []


def test_another_district_sees_and_does_nothing(api, frozen):
    application = api.post("unit", "/projects", PROJECT)
    app_id, project_id = application["id"], application["project_id"]
    api.do("eitc", app_id, "Task_ReviewQuota", {"quota_decision": "approve"})
    task = api.step("unit", app_id, "Task_ApplyTest")
    for who in ("hp_unit", "hp_operator"):
        api.call(who, "GET", f"/projects/{project_id}", status=404)
        api.call(who, "GET", f"/resource-applications/{app_id}", status=404)
        api.call(who, "GET", f"/tasks/{task['task_id']}", status=404)
        api.call(who, "POST", f"/tasks/{task['task_id']}/complete", {"data": TEST_APPLICATION}, status=404)
        assert api.get(who, "/projects") == [] and api.get(who, "/resource-applications") == []
    # A unit of the same district but another organisation: not its project.
    api.call("other_unit", "GET", f"/projects/{project_id}", status=404)
    assert api.get("other_unit", "/projects") == []
    # A colleague of the same unit cannot take the applicant's task, but can see the project.
    api.call("unit2", "POST", f"/tasks/{task['task_id']}/complete", {"data": TEST_APPLICATION}, status=403)
    assert api.get("unit2", f"/projects/{project_id}")["id"] == project_id
