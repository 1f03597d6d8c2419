"""vendor_change end to end through the API (M.28): approval, return for changes, refusal, a major
change with expert evaluation and the authority's approval, and changes carried out without approval."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.governance.conftest import fire, open_element_ids, pending_timer

# Monday 22 Sep + 5 working days: 23–26 and the makeup Sunday 28 September (M.28 lead, rules.py).
FIRST_ORDINARY = "2025-09-28T10:00:00+08:00"
# + 15 working days: 23–26, 28, 29, 30, 9, 10, 11 (makeup), 13–17 October.
FIRST_MAJOR = "2025-10-17T10:00:00+08:00"


def plan(**overrides) -> dict:
    body = {"title": "云主机集群内核升级", "description": "修复安全漏洞", "affected_systems": "健康档案系统",
            "affected_districts": ["xuhui", "huangpu"], "impact": "单节点滚动重启，业务无中断",
            "rollback_plan": "回滚至原内核版本", "window_start": FIRST_ORDINARY,
            "window_end": "2025-09-28T14:00:00+08:00", "attachment_ids": []}
    return body | overrides


def path(change: dict) -> str:
    return f"/vendor-changes/{change['id']}"


def test_ordinary_change_approved_waits_for_its_window_then_reports(api, frozen, world):
    # The plan's documents are the vendor's own files: its own upload and a colleague's.
    documents = [api.upload("vendor", "plan.pdf"), api.upload("vendor_colleague", "rollback.pdf")]
    change = api.post("vendor", "/vendor-changes", plan(attachment_ids=documents))
    assert (change["status"], change["number"]) == ("reviewing", f"VC-2025-{change['id']:06d}")
    assert change["attachment_ids"] == documents
    assert open_element_ids(change["instance_id"]) == ["Task_BdcReview"]
    # Only bdc reviews; the vendor sees its task list but cannot decide.
    step = api.step("bdc", path(change), "Task_BdcReview")
    api.call("vendor", "POST", f"/tasks/{step['task_id']}/complete",
             {"data": {"review_decision": "approve", "review_comment": "x"}}, status=403)
    api.do("bdc", path(change), "Task_BdcReview", {"review_decision": "approve", "review_comment": "同意按计划实施"})

    detail = api.get("authority", path(change))
    assert (detail["status"], detail["decided_by"], detail["decision_note"]) == ("approved", "bdc1", "同意按计划实施")
    timer = pending_timer(change["instance_id"], "Event_WindowStart")
    assert timer.due_at == datetime(2025, 9, 28, 2, 0, tzinfo=UTC)  # the window's start, 10:00 Shanghai

    fire(frozen, change["instance_id"], "Event_WindowStart")
    assert api.get("vendor", path(change))["status"] == "in_window"
    frozen.current = datetime(2025, 9, 28, 3, 0, tzinfo=UTC)
    carried = api.post("vendor", f"{path(change)}/carried-out", {"carried_out_at": "2025-09-28T10:30:00+08:00"})
    assert (carried["authorised"], carried["violation"]) == (True, None)
    # A colleague of the same vendor cannot take over the submitter's report.
    report = api.step("vendor", path(change), "Task_CompletionReport")
    assert report["due_at"] == "2025-09-28T06:00:00+00:00"  # the report is due when the window closes
    api.call("vendor_colleague", "POST", f"/tasks/{report['task_id']}/complete",
             {"data": {"outcome": "success"}}, status=403)
    # The report names the vendor's own file; another vendor's is refused on the field, the step stays open.
    completion = {"outcome": "success", "rollback_used": False, "completion_note": "升级完成"}
    foreign = api.upload("vendor2")
    refused = api.do("vendor", path(change), "Task_CompletionReport",
                     completion | {"completion_attachment_ids": f"{foreign}"}, status=422)
    assert refused["error"]["fields"] == {"completion_attachment_ids": [f"No such attachment: {foreign}."]}
    assert open_element_ids(change["instance_id"]) == ["Task_CompletionReport"]
    own = api.upload("vendor", "report.pdf")
    api.do("vendor", path(change), "Task_CompletionReport", completion | {"completion_attachment_ids": f"{own}"})

    done = api.get("bdc", path(change))
    assert (done["status"], done["outcome"], done["rollback_used"]) == ("completed", "success", False)
    assert done["completion_attachment_ids"] == [own] and done["open_steps"] == [] and done["violations"] == []


def test_a_plan_whose_window_has_opened_cannot_be_approved_after_the_fact(api, frozen, world):
    change = api.post("vendor", "/vendor-changes", plan())
    frozen.current = datetime(2025, 9, 28, 2, 30, tzinfo=UTC)  # review left lying until 10:30 on the day
    late = api.do("bdc", path(change), "Task_BdcReview", {"review_decision": "approve", "review_comment": "同意"},
                  status=409)
    assert late["error"]["code"] == "window_passed"
    assert open_element_ids(change["instance_id"]) == ["Task_BdcReview"]  # nothing ran; the task waits
    api.do("bdc", path(change), "Task_BdcReview", {"review_decision": "return", "review_comment": "请重新安排窗口"})
    assert open_element_ids(change["instance_id"]) == ["Task_Revise"]


def test_plan_submitted_too_late_is_refused_with_the_earliest_start(api, frozen, world):
    response = api.call("vendor", "POST", "/vendor-changes", plan(window_start="2025-09-27T10:00:00+08:00",
                                                                 window_end="2025-09-27T12:00:00+08:00"), status=422)
    error = response.get_json()["error"]
    assert error["code"] == "rule_m28_lead"
    assert error["fields"]["window_start"] == ["The earliest start is 2025-09-28."]
    major = api.call("vendor", "POST", "/vendor-changes", plan(major=True), status=422).get_json()["error"]
    assert major["fields"]["window_start"] == ["The earliest start is 2025-10-17."]
    bad_ids = api.call("vendor", "POST", "/vendor-changes", plan(attachment_ids=[0]), status=422).get_json()
    assert "attachment_ids.0" in bad_ids["error"]["fields"]
    api.call("bdc", "POST", "/vendor-changes", plan(), status=403)  # only vendors propose changes


def test_returned_for_changes_revised_then_refused_with_a_reason(api, frozen, world):
    change = api.post("vendor", "/vendor-changes", plan(attachment_ids=[api.upload("vendor")]))
    api.do("bdc", path(change), "Task_BdcReview", {"review_decision": "return", "review_comment": "补充回退演练记录"})
    assert api.get("vendor", path(change))["status"] == "returned"

    # The revision keeps the lead time: a window too soon is sent back to the vendor with the reason.
    frozen.current = datetime(2025, 9, 24, 1, 0, tzinfo=UTC)  # Wednesday
    revised_plan = api.upload("vendor", "revised.pdf")
    revision = {"window_start": "2025-09-29T10:00:00+08:00", "window_end": "2025-09-29T12:00:00+08:00",
                "impact": "滚动重启", "rollback_plan": "已演练的回退方案", "attachment_ids": f"{revised_plan}"}
    missing = api.do("vendor", path(change), "Task_Revise", revision | {"attachment_ids": "999999"}, status=422)
    assert missing["error"]["fields"] == {"attachment_ids": ["No such attachment: 999999."]}
    api.do("vendor", path(change), "Task_Revise", revision)
    assert open_element_ids(change["instance_id"]) == ["Task_Revise"]
    task = api.get("vendor", f"/tasks/{api.step('vendor', path(change), 'Task_Revise')['task_id']}")
    # From Wednesday 24 Sep: 25, 26, 28 (makeup), 29, 30 September.
    assert task["data"]["plan_problem"].endswith("The earliest start is 2025-09-30.")
    assert api.get("bdc", path(change))["window_start"] == "2025-09-28T02:00:00+00:00"  # unchanged

    api.do("vendor", path(change), "Task_Revise", revision | {"window_start": "2025-10-09T10:00:00+08:00",
                                                             "window_end": "2025-10-09T12:00:00+08:00"})
    revised = api.get("bdc", path(change))
    assert (revised["status"], revised["revision"], revised["attachment_ids"]) == ("reviewing", 2, [revised_plan])
    assert revised["window_start"] == "2025-10-09T02:00:00+00:00"
    api.do("bdc", path(change), "Task_BdcReview", {"review_decision": "refuse", "review_comment": "与等保测评冲突"})

    refused = api.get("vendor", path(change))
    assert (refused["status"], refused["decision_note"], refused["open_steps"]) == ("refused", "与等保测评冲突", [])


def test_major_change_needs_expert_evaluation_and_the_authority(api, frozen, world):
    change = api.post("vendor", "/vendor-changes", plan(major=True, window_start=FIRST_MAJOR,
                                                        window_end="2025-10-17T18:00:00+08:00"))
    api.do("bdc", path(change), "Task_BdcReview", {"review_decision": "approve", "review_comment": "请组织专家评估"})
    assert api.get("bdc", path(change))["status"] == "evaluating"
    missing = api.step("vendor", path(change), "Task_Evaluation")
    response = api.call("vendor", "POST", f"/tasks/{missing['task_id']}/complete",
                        {"data": {"evaluator": "市信息安全测评中心", "evaluation_conclusion": "风险可控"}}, status=422)
    assert "evaluation_attachment_ids" in response.get_json()["error"]["fields"]  # the report is required
    # M.28: the vendor organises the evaluation and attaches the report it received; a file uploaded
    # by bdc is not the vendor's to name (it may see only its own organisation's).
    evaluation = {"evaluator": "市信息安全测评中心", "evaluation_conclusion": "风险可控"}
    bdc_file = api.upload("bdc")
    refused = api.do("vendor", path(change), "Task_Evaluation",
                     evaluation | {"evaluation_attachment_ids": f"{bdc_file}"}, status=422)
    assert refused["error"]["fields"] == {"evaluation_attachment_ids": [f"No such attachment: {bdc_file}."]}
    reports = [api.upload("vendor", "evaluation.pdf"), api.upload("vendor", "experts.pdf")]
    api.do("vendor", path(change), "Task_Evaluation",
           evaluation | {"evaluation_attachment_ids": f"{reports[0]}，{reports[1]}"})  # a Chinese comma too
    step = api.step("authority", path(change), "Task_AuthorityApprove")
    api.call("bdc", "POST", f"/tasks/{step['task_id']}/complete",
             {"data": {"authority_decision": "approve", "authority_comment": "x"}}, status=403)
    api.do("authority", path(change), "Task_AuthorityApprove",
           {"authority_decision": "approve", "authority_comment": "同意，注意业务连续性"})

    approved = api.get("eitc", path(change))
    assert (approved["status"], approved["decided_by"]) == ("approved", "authority1")
    assert (approved["evaluator"], approved["evaluation_attachment_ids"]) == ("市信息安全测评中心", reports)
    assert pending_timer(change["instance_id"], "Event_WindowStart").due_at == datetime(2025, 10, 17, 2, 0, tzinfo=UTC)


def test_major_change_refused_by_the_authority(api, frozen, world):
    change = api.post("vendor", "/vendor-changes", plan(major=True, window_start=FIRST_MAJOR,
                                                        window_end="2025-10-17T18:00:00+08:00"))
    api.do("bdc", path(change), "Task_BdcReview", {"review_decision": "approve", "review_comment": "同意"})
    api.do("vendor", path(change), "Task_Evaluation",
           {"evaluator": "专家组", "evaluation_conclusion": "存在数据丢失风险",
            "evaluation_attachment_ids": str(api.upload("vendor"))})
    api.do("authority", path(change), "Task_AuthorityApprove",
           {"authority_decision": "refuse", "authority_comment": "评估认为风险过高"})
    refused = api.get("vendor", path(change))
    assert (refused["status"], refused["decided_by"], refused["decision_note"]) == ("refused", "authority1",
                                                                                    "评估认为风险过高")


def test_plan_documents_must_be_attachments_the_vendor_may_see(api, frozen, world):
    """Another vendor's file, a district unit's (another tenant) and a missing id are all refused
    alike, on the field the ids came from; nothing is created."""
    own = api.upload("vendor")
    for other in (api.upload("vendor2"), api.upload("hp_unit"), 999999):
        response = api.call("vendor", "POST", "/vendor-changes", plan(attachment_ids=[own, other]), status=422)
        assert response.get_json()["error"]["fields"] == {"attachment_ids": [f"No such attachment: {other}."]}
    assert api.get("vendor", "/vendor-changes") == []


def test_change_carried_out_without_approval_is_flagged(api, frozen, world):
    change = api.post("vendor", "/vendor-changes", plan())
    frozen.current = datetime(2025, 9, 23, 2, 0, tzinfo=UTC)
    # bdc finds the change already carried out while the plan is still under review.
    result = api.post("bdc", f"{path(change)}/carried-out", {"carried_out_at": "2025-09-23T09:30:00+08:00",
                                                             "note": "巡检发现内核已升级"})
    assert result["authorised"] is False
    assert (result["violation"]["kind"], result["violation"]["status_then"]) == ("unapproved", "reviewing")
    # Approved later, but carried out after its window: flagged as outside the window.
    api.do("bdc", path(change), "Task_BdcReview", {"review_decision": "approve", "review_comment": "同意"})
    frozen.current = datetime(2025, 9, 29, 1, 0, tzinfo=UTC)
    late = api.post("vendor", f"{path(change)}/carried-out", {"carried_out_at": "2025-09-28T15:00:00+08:00"})
    assert late["violation"]["kind"] == "outside_window"
    api.call("vendor", "POST", f"{path(change)}/carried-out", {"carried_out_at": "2025-09-30T15:00:00+08:00"},
             status=422)  # not in the future

    for who in ("bdc", "authority", "vendor"):
        assert [v["kind"] for v in api.get(who, "/vendor-change-violations")] == ["unapproved", "outside_window"]
    assert [v["kind"] for v in api.get(who, path(change))["violations"]] == ["unapproved", "outside_window"]
    assert api.get("vendor2", "/vendor-change-violations") == []
    api.call("vendor2", "POST", f"{path(change)}/carried-out", {"carried_out_at": "2025-09-28T15:00:00+08:00"},
             status=404)


def test_other_vendors_and_units_do_not_see_a_vendors_plan(api, frozen, world):
    change = api.post("vendor", "/vendor-changes", plan())
    for who in ("vendor2", "unit", "city_unit", "xh_authority"):
        api.call(who, "GET", path(change), status=404)
        assert api.get(who, "/vendor-changes") == []
    assert [c["id"] for c in api.get("vendor_colleague", "/vendor-changes")] == [change["id"]]
    assert [c["id"] for c in api.get("eitc", "/vendor-changes")] == [change["id"]]
