"""Processes 3 and 4 end to end through the API: expansion (M.20, M.26) and reclaim (M.21, M.26),
with their missed deadlines escalated on the scheduler's clock."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.resources.conftest import approved_project, fire, open_allocation, open_element_ids


@pytest.fixture()
def holding(world):
    """A xuhui project with a vCPU quota of 100, all of it held as formal resources."""
    project = approved_project(world["unit"])
    return project, open_allocation(project, "IAAS-VCPU", "100")


def expansion(api, project, allocation, quantity: str) -> dict:
    return api.post("unit", f"/projects/{project.id}/expansions",
                    {"lines": [{"allocation_id": allocation.id, "quantity": quantity}], "reason": "业务量增长"})


def test_expansion_to_exactly_120_percent_bdc_reviews_and_expands(api, frozen, holding):
    project, allocation = holding
    application = expansion(api, project, allocation, "20")
    assert application["over_quota"] is False
    assert api.get("unit", f"/resources/{allocation.id}")["state"] == "expanding"

    # M.26: the backup reminder precedes the change.
    api.do("unit", application["id"], "Task_ConfirmBackup", {"backup_confirmed": True, "backup_note": "已全量备份"})
    review = api.step("bdc", application["id"], "Task_BdcReview")
    assert review["due_at"] == "2025-09-28T01:00:00+00:00"  # 5 WD from Monday 22 Sep: makeup Sunday 28 Sep

    # M.20: 5 working days pass without a review: escalated, still with bdc.
    fire(frozen, application["instance_id"], "Event_ReviewOverdue")
    assert "扩容审核逾期" in api.get("eitc", f"/resource-applications/{application['id']}")["escalation"]

    frozen.current = datetime(2025, 9, 30, 1, 0, tzinfo=UTC)  # Tuesday 30 September
    api.do("bdc", application["id"], "Task_BdcReview", {"review_decision": "approve"})
    expand = api.step("bdc", application["id"], "Task_Expand")
    # 5 WD from 30 September skip the holiday (1–8 October): 9, 10, Saturday 11 (makeup), 13, 14 October.
    assert expand["due_at"] == "2025-10-14T01:00:00+00:00"
    api.do("bdc", application["id"], "Task_Expand", {"expanded": True, "expand_note": "已扩容"})

    resource = api.get("unit", f"/resources/{allocation.id}")
    assert (resource["quantity"], resource["state"]) == ("120.0000", "open")
    assert [h["kind"] for h in resource["history"]] == ["expansion_requested", "expanded"]
    assert resource["history"][-1]["quantity_before"] == "100.0000"
    assert api.get("unit", f"/resource-applications/{application['id']}")["status"] == "done"
    usage = api.get("unit", f"/projects/{project.id}")["usage"]
    assert (usage[0]["used"], usage[0]["percent"]) == ("120.0000", 120)


def test_expansion_above_120_percent_goes_to_eitc_first(api, frozen, holding):
    project, allocation = holding
    application = expansion(api, project, allocation, "20.0001")
    assert application["over_quota"] is True
    api.do("unit", application["id"], "Task_ConfirmBackup", {"backup_confirmed": True})
    assert open_element_ids(application["instance_id"]) == ["Task_EitcApprove"]
    api.call("bdc", "POST", f"/tasks/{api.step('bdc', application['id'], 'Task_EitcApprove')['task_id']}/complete",
             {"data": {"eitc_decision": "approve"}}, status=403)  # eitc's, not bdc's
    api.do("eitc", application["id"], "Task_EitcApprove", {"eitc_decision": "approve", "eitc_comment": "同意"})
    api.do("bdc", application["id"], "Task_BdcReview", {"review_decision": "reject", "review_comment": "资源池不足"})

    resource = api.get("unit", f"/resources/{allocation.id}")
    assert (resource["quantity"], resource["state"]) == ("100.0000", "open")
    detail = api.get("unit", f"/resource-applications/{application['id']}")
    assert (detail["status"], detail["decision_note"]) == ("rejected", "资源池不足")


def test_expand_deadline_missed_is_escalated_not_dropped(api, frozen, holding):
    project, allocation = holding
    application = expansion(api, project, allocation, "5")
    api.do("unit", application["id"], "Task_ConfirmBackup", {"backup_confirmed": True})
    api.do("bdc", application["id"], "Task_BdcReview", {"review_decision": "approve"})
    fire(frozen, application["instance_id"], "Event_ExpandOverdue")
    detail = api.get("bdc", f"/resource-applications/{application['id']}")
    assert "扩容实施逾期" in detail["escalation"]
    assert [s["element_id"] for s in detail["open_steps"]] == ["Task_Expand"]


def test_other_district_cannot_expand_or_see(api, frozen, holding):
    project, allocation = holding
    body = {"lines": [{"allocation_id": allocation.id, "quantity": "1"}]}
    api.call("hp_unit", "POST", f"/projects/{project.id}/expansions", body, status=404)
    api.call("hp_unit", "GET", f"/resources/{allocation.id}", status=404)
    assert api.get("hp_unit", "/resources") == []
    api.call("other_unit", "POST", f"/projects/{project.id}/expansions", body, status=404)
    api.call("xh_operator", "POST", f"/projects/{project.id}/expansions", body, status=403)
    assert [r["id"] for r in api.get("xh_operator", "/resources")] == [allocation.id]  # the district sees it


# -- reclaim ------------------------------------------------------------------------------------------------
def test_reclaim_after_migration_within_10_working_days(api, frozen, holding):
    project, allocation = holding
    application = api.post("unit", f"/projects/{project.id}/reclaims",
                           {"allocation_ids": [allocation.id], "reason": "系统下线"})
    assert api.get("unit", f"/resources/{allocation.id}")["state"] == "reclaiming"
    api.do("unit", application["id"], "Task_ConfirmMigration", {"backup_confirmed": True, "backup_note": "已迁移"})
    step = api.step("bdc", application["id"], "Task_Reclaim")
    # 10 WD from Monday 22 Sep: 23–26, 28 (makeup), 29, 30, then 9, 10, 11 (makeup) October.
    assert step["due_at"] == "2025-10-11T01:00:00+00:00"

    fire(frozen, application["instance_id"], "Event_ReclaimOverdue")
    assert "回收逾期" in api.get("bdc", f"/resource-applications/{application['id']}")["escalation"]
    api.do("bdc", application["id"], "Task_Reclaim", {"reclaim_decision": "reclaim", "reclaim_comment": "已回收"})

    resource = api.get("unit", f"/resources/{allocation.id}")
    assert resource["state"] == "reclaimed"
    assert [h["kind"] for h in resource["history"]] == ["reclaim_requested", "reclaimed"]
    assert api.get("unit", f"/projects/{project.id}")["usage"][0]["used"] == "0.0000"


def test_refused_reclaim_leaves_the_resource_open(api, frozen, holding):
    project, allocation = holding
    application = api.post("unit", f"/projects/{project.id}/reclaims", {"allocation_ids": [allocation.id]})
    api.do("unit", application["id"], "Task_ConfirmMigration", {"backup_confirmed": True})
    api.do("bdc", application["id"], "Task_Reclaim", {"reclaim_decision": "reject", "reclaim_comment": "仍有数据"})
    assert api.get("unit", f"/resources/{allocation.id}")["state"] == "open"


def test_reclaim_needs_the_backup_confirmation(api, frozen, holding):
    project, allocation = holding
    application = api.post("unit", f"/projects/{project.id}/reclaims", {"allocation_ids": [allocation.id]})
    task = api.step("unit", application["id"], "Task_ConfirmMigration")
    refused = api.complete("unit", task["task_id"], {"backup_confirmed": False}, status=422)
    assert "backup_confirmed" in refused["error"]["fields"]
