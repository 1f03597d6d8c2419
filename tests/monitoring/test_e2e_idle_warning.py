"""``idle_warning`` end to end (M.25, M.26): samples in through the API, the daily job raises a
finding with its evidence, the authority warns, and the case ends either in reclaim (deadline
ignored, the authority consents, bdc reclaims through the resources domain) or rectified."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.extensions import db
from tests.monitoring.conftest import TODAY, busy_month, daily_scan, idle_month, sample, send
from tests.resources.conftest import fire, open_element_ids


def _finding(api, who="authority") -> dict:
    findings = api.get(who, "/idle-findings")
    assert len(findings) == 1, findings
    return api.get(who, f"/idle-findings/{findings[0]['id']}")


def _step(api, who, finding_id, element_id) -> dict:
    detail = api.get(who, f"/idle-findings/{finding_id}")
    found = [s for s in detail["open_steps"] if s["element_id"] == element_id]
    assert found, f"{element_id} not open; open: {[s['element_id'] for s in detail['open_steps']]}"
    return found[0]


def _do(api, who, finding_id, element_id, data) -> None:
    api.complete(who, _step(api, who, finding_id, element_id)["task_id"], data)


def _raise_and_warn(app, client, api, site) -> dict:
    send(client, site["xh_headers"], idle_month(site["idle"].id) + busy_month(site["busy"].code))
    run = daily_scan(app)
    assert "idle 1" in run.message and "zombie 0" in run.message and "cases started: 1" in run.message
    finding = _finding(api)
    # The evidence: the window, the days, the numbers that triggered the rule.
    assert (finding["project_id"], finding["rule"], finding["status"]) == (site["idle"].id, "idle", "open")
    assert (finding["window_start"], finding["window_end"]) == ("2025-08-23", "2025-09-21")
    assert (finding["days_with_data"], finding["days_matched"]) == (30, 30)
    assert (finding["cpu_avg"], finding["cpu_peak"], finding["network_mb_avg"]) == ("3.00", "4.00", "1.500")
    assert finding["business_total"] == 0
    assert "CPU 日均 3.00%" in finding["evidence"]
    assert api.get("unit", "/idle-findings")[0]["id"] == finding["id"]  # the unit sees its own finding
    assert api.get("hp_unit", "/idle-findings") == []

    _do(api, "authority", finding["id"], "Task_Review", {"review_decision": "warn", "review_comment": "长期闲置"})
    warned = api.get("unit", f"/idle-findings/{finding['id']}")
    # 10 working days from Monday 22 Sep: 23–26, 28 (makeup Sunday), 29, 30, 9, 10, 11 (makeup Saturday) Oct;
    # the period ends at 24:00 of its last day (art. 203).
    assert (warned["status"], warned["warned_on"]) == ("warned", "2025-09-22")
    assert warned["rectify_due"] == "2025-10-11T16:00:00+00:00"
    step = _step(api, "unit", finding["id"], "Task_Respond")
    assert step["due_at"] == "2025-10-11T16:00:00+00:00"
    return finding


def test_ignored_warning_ends_in_consent_and_reclaim(app, client, api, frozen, site):
    finding = _raise_and_warn(app, client, api, site)
    # Re-running the scan the same day raises nothing new.
    assert "idle 0" in daily_scan(app).message
    assert len(api.get("authority", "/idle-findings")) == 1

    # The unit does not answer: the deadline passes on the scheduler's clock.
    fire(frozen, finding["instance_id"], "Event_Deadline")
    assert open_element_ids(finding["instance_id"]) == ["Task_Consent"]
    detail = api.get("authority", f"/idle-findings/{finding['id']}")
    assert (detail["status"], detail["response"]) == ("consent", "ignored")
    assert detail["check"]["from"] == "2025-09-22"

    _do(api, "authority", finding["id"], "Task_Consent", {"consent_decision": "consent", "consent_comment": "同意回收"})
    reclaiming = api.get("bdc", f"/idle-findings/{finding['id']}")
    assert reclaiming["status"] == "reclaiming"
    # Allocation has stopped: the resources are reclaiming (no longer expandable), backup reminded (M.26).
    assert api.get("unit", f"/resources/{site['vcpu'].id}")["state"] == "reclaiming"
    application = api.get("unit", f"/resource-applications/{reclaiming['reclaim_application_id']}")
    assert application["kind"] == "reclaim"
    assert "backup_reminder" in [e["kind"] for e in application["events"]]
    refused = api.post("unit", f"/projects/{site['idle'].id}/special-resources",
                       {"kind": "emergency", "expires_on": "2025-11-30",
                        "lines": [{"item_code": "IAAS-VCPU", "quantity": "4"}]}, status=409)
    assert refused["error"]["code"] == "allocation_stopped"

    _do(api, "bdc", finding["id"], "Task_Reclaim", {"reclaimed": True, "reclaim_comment": "已回收"})
    closed = api.get("authority", f"/idle-findings/{finding['id']}")
    assert closed["status"] == "reclaimed" and closed["closed_at"] and closed["open_steps"] == []
    for allocation in (site["vcpu"], site["mem"]):
        resource = api.get("unit", f"/resources/{allocation.id}")
        assert resource["state"] == "reclaimed"
        assert [h["kind"] for h in resource["history"]] == ["reclaim_requested", "reclaimed"]
    assert api.get("unit", f"/resources/{site['busy_vcpu'].id}")["state"] == "open"
    assert api.get("authority", f"/resource-applications/{closed['reclaim_application_id']}")["status"] == "done"
    assert [h["kind"] for h in closed["history"]] == [
        "detected", "warned", "deadline_missed", "backup_reminder", "reclaimed"]
    # Each step is in the engine's audit too.
    audit = api.get("admin", f"/process-instances/{finding['instance_id']}/history")
    assert {"timer_fired"} <= {e.get("kind") or e.get("event") for e in audit}


def test_rectified_case_closes_after_bdc_checks_the_next_period(app, client, api, frozen, site):
    finding = _raise_and_warn(app, client, api, site)
    # Four busier days after the warning, then the unit answers on Friday 26 September.
    frozen.current = datetime(2025, 9, 26, 2, 0, tzinfo=UTC)
    after = [sample(site["idle"].id, TODAY + timedelta(days=n), cpu=cpu, network="300", requests=800, logins=40,
                    api_calls=60) for n, cpu in enumerate(["20", "30", "40", "30"])]
    send(client, site["xh_headers"], after)
    _do(api, "unit", finding["id"], "Task_Respond",
        {"response": "rectified", "response_note": "已迁入新业务，附访问日志"})
    checking = api.get("bdc", f"/idle-findings/{finding['id']}")
    assert checking["status"] == "checking"
    assert checking["check"] == {"from": "2025-09-22", "to": "2025-09-25", "days": 4, "cpu_avg": "30.00",
                                 "cpu_peak": "40.00", "network_mb_avg": "300.000", "business_total": 3600,
                                 "days_matching_rule": 0}
    task = api.get("bdc", f"/tasks/{_step(api, 'bdc', finding['id'], 'Task_Check')['task_id']}")
    assert "30.00" in str(task)  # the numbers are on bdc's form

    _do(api, "bdc", finding["id"], "Task_Check", {"check_decision": "rectified", "check_comment": "利用率已恢复"})
    closed = api.get("unit", f"/idle-findings/{finding['id']}")
    assert closed["status"] == "rectified" and closed["open_steps"] == []
    assert [h["kind"] for h in closed["history"]] == ["detected", "warned", "rectified", "checked"]
    assert api.get("unit", f"/resources/{site['vcpu'].id}")["state"] == "open"
    # A closed case is not raised again by the next scan: a full new window is needed.
    assert "idle 0" in daily_scan(app, now=datetime(2025, 9, 27, 1, 0, tzinfo=UTC)).message
    db.session.expire_all()


def test_authority_dismisses_with_a_reason(app, client, api, frozen, site):
    send(client, site["xh_headers"], idle_month(site["idle"].id))
    daily_scan(app)
    finding = _finding(api)
    refused = api.call("authority", "POST", f"/tasks/{_step(api, 'authority', finding['id'], 'Task_Review')['task_id']}"
                       "/complete", {"data": {"review_decision": "dismiss"}}, status=422)
    assert "review_comment" in refused.get_json()["error"]["fields"]
    api.call("unit", "POST", f"/tasks/{_step(api, 'authority', finding['id'], 'Task_Review')['task_id']}/complete",
             {"data": {"review_decision": "warn", "review_comment": "x"}}, status=403)
    _do(api, "authority", finding["id"], "Task_Review",
        {"review_decision": "dismiss", "review_comment": "灾备系统，平时闲置"})
    closed = api.get("authority", f"/idle-findings/{finding['id']}")
    assert (closed["status"], closed["history"][-1]["note"]) == ("dismissed", "灾备系统，平时闲置")


def test_objection_checked_then_consent_withheld_keeps_the_resources(app, client, api, frozen, site):
    finding = _raise_and_warn(app, client, api, site)
    _do(api, "unit", finding["id"], "Task_Respond",
        {"response": "objection", "response_note": "系统用于年末申报，季节性使用"})
    checking = api.get("bdc", f"/idle-findings/{finding['id']}")
    assert (checking["response"], checking["check"]["days"]) == ("objection", 0)  # nothing measured since the warning
    _do(api, "bdc", finding["id"], "Task_Check", {"check_decision": "not_rectified"})
    assert api.get("authority", f"/idle-findings/{finding['id']}")["status"] == "consent"
    consent = _step(api, "authority", finding["id"], "Task_Consent")["task_id"]
    refused = api.call("authority", "POST", f"/tasks/{consent}/complete", {"data": {"consent_decision": "withhold"}},
                       status=422)
    assert "consent_comment" in refused.get_json()["error"]["fields"]
    _do(api, "authority", finding["id"], "Task_Consent",
        {"consent_decision": "withhold", "consent_comment": "异议成立：季节性系统"})
    kept = api.get("unit", f"/idle-findings/{finding['id']}")
    assert kept["status"] == "kept" and kept["open_steps"] == []
    assert [h["kind"] for h in kept["history"]] == ["detected", "warned", "objection", "checked", "consent_withheld"]
    assert api.get("unit", f"/resources/{site['vcpu'].id}")["state"] == "open"
