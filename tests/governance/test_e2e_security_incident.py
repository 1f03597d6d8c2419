"""security_incident end to end (M.31): deadlines by severity, escalation of a missed one on the
scheduler's clock, containment, investigation with the vendor held responsible, the report to the
departments, and who sees which incident."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.governance.conftest import fire, open_element_ids, pending_timer


def incident(api, who: str = "unit", **overrides) -> dict:
    body = {"title": "健康档案系统遭受勒索软件攻击", "description": "部分主机文件被加密", "severity": 2,
            "occurred_at": "2025-09-22T08:30:00+08:00", "attachment_ids": []}
    return api.post(who, "/security-incidents", body | overrides)


def path(item: dict) -> str:
    return f"/security-incidents/{item['id']}"


def test_missed_containment_deadline_escalates_then_the_incident_is_reported_and_closed(api, frozen, world):
    evidence = api.upload("unit", "screenshot.pdf")
    reported = incident(api, attachment_ids=[evidence])
    assert (reported["tenant"], reported["status"], reported["severity"]) == ("xuhui", "containing", 2)
    assert reported["attachment_ids"] == [evidence]
    # 重大 (level 2): contained within 6 hours of the report (rules.SEVERITIES).
    assert reported["contain_due"] == "2025-09-22T07:00:00+00:00"
    assert api.step("bdc", path(reported), "Task_Contain")["due_at"] == "2025-09-22T07:00:00+00:00"

    timer = fire(frozen, reported["instance_id"], "Event_ContainOverdue")
    assert timer.due_at == datetime(2025, 9, 22, 7, 0, tzinfo=UTC)
    escalated = api.get("authority", path(reported))
    assert "事件处置逾期" in escalated["escalation"]
    assert escalated["escalated_at"] == "2025-09-22T07:00:00+00:00"
    assert open_element_ids(reported["instance_id"]) == ["Task_Contain"]  # still with bdc, not dropped

    frozen.current = datetime(2025, 9, 22, 8, 0, tzinfo=UTC)  # 16:00 Monday
    api.do("bdc", path(reported), "Task_Contain", {"containment_note": "隔离受感染主机，从备份恢复"})
    contained = api.get("bdc", path(reported))
    # Report due 2 working days after containment: Wednesday 24 September, 16:00.
    assert (contained["status"], contained["report_due"]) == ("investigating", "2025-09-24T08:00:00+00:00")
    vendor_id = world["vendor"].organisation_id
    api.do("bdc", path(reported), "Task_Investigate", {"cause": "云平台补丁未及时安装",
                                                        "responsible_vendor": str(vendor_id)})
    # bdc's report names its own file and the unit's evidence (bdc sees every district's files).
    report = api.upload("bdc", "report.pdf")
    api.do("bdc", path(reported), "Task_Report", {"report_summary": "已处置完毕，未造成数据泄露",
                                                   "report_attachment_ids": f"{report}, {evidence}"})

    closed = api.get("unit", path(reported))
    assert (closed["status"], closed["vendor_id"], closed["cause"]) == ("closed", vendor_id, "云平台补丁未及时安装")
    assert closed["reported_to"] == ["authority", "eitc", "district.authority@xuhui"]
    assert (closed["report_attachment_ids"], closed["open_steps"]) == ([report, evidence], [])
    # The vendor held responsible now sees it; its evaluation counts it (indicators).
    assert [i["id"] for i in api.get("vendor", "/security-incidents")] == [reported["id"]]


def test_missed_report_deadline_escalates(api, frozen, world):
    reported = incident(api, "bdc", severity=4, tenant_id="huangpu")
    # 一般 (level 4): contained within 2 working days: Wednesday 24 September, 09:00.
    assert reported["contain_due"] == "2025-09-24T01:00:00+00:00"
    api.do("bdc", path(reported), "Task_Contain", {"containment_note": "已封堵端口"})
    # Report within 5 working days of containment: 23–26 and the makeup Sunday 28 September.
    assert pending_timer(reported["instance_id"], "Event_InvestigateOverdue").due_at == \
        datetime(2025, 9, 28, 1, 0, tzinfo=UTC)
    fire(frozen, reported["instance_id"], "Event_InvestigateOverdue")
    assert "事件调查逾期" in api.get("hp_authority", path(reported))["escalation"]
    assert open_element_ids(reported["instance_id"]) == ["Task_Investigate"]


def test_severity_sets_the_deadline(api, frozen, world):
    first = incident(api, "bdc", severity=1)
    assert (first["tenant"], first["contain_due"]) == ("city", "2025-09-22T03:00:00+00:00")  # 2 hours
    third = incident(api, "vendor", severity=3)
    assert third["contain_due"] == "2025-09-23T01:00:00+00:00"  # 24 hours
    assert third["vendor_id"] == world["vendor"].organisation_id  # a vendor reports its own service's
    in_xuhui = incident(api, "vendor", severity=4, tenant_id="xuhui")
    assert in_xuhui["tenant"] == "xuhui"  # it names the district it serves, which then sees it
    assert [i["id"] for i in api.get("xh_authority", "/security-incidents")] == [in_xuhui["id"]]
    assert sorted(i["id"] for i in api.get("vendor", "/security-incidents")) == [third["id"], in_xuhui["id"]]
    bad = api.call("unit", "POST", "/security-incidents", {"title": "x", "severity": 5,
                                                          "occurred_at": "2025-09-22T08:00:00+08:00"}, status=422)
    assert "severity" in bad.get_json()["error"]["fields"]
    future = api.call("unit", "POST", "/security-incidents", {"title": "x", "severity": 4,
                                                             "occurred_at": "2025-09-23T08:00:00+08:00"}, status=422)
    assert "occurred_at" in future.get_json()["error"]["fields"]
    api.call("eitc", "POST", "/security-incidents", {"title": "x", "severity": 4,
                                                     "occurred_at": "2025-09-22T08:00:00+08:00"}, status=403)


def test_incident_documents_must_be_attachments_the_reporter_may_see(api, frozen, world):
    """A unit names only its own organisation's files: a colleague unit's in the same district,
    another district's (another tenant) and a missing id are refused alike on the field."""
    for other in (api.upload("other_unit"), api.upload("hp_unit"), 999999):
        response = api.call("unit", "POST", "/security-incidents",
                            {"title": "x", "severity": 4, "occurred_at": "2025-09-22T08:00:00+08:00",
                             "attachment_ids": [api.upload("unit"), other]}, status=422)
        assert response.get_json()["error"]["fields"] == {"attachment_ids": [f"No such attachment: {other}."]}
    assert api.get("unit", "/security-incidents") == []
    # bdc's report must name files too: a missing one is refused and the step stays open.
    reported = incident(api, "bdc", severity=4)
    api.do("bdc", path(reported), "Task_Contain", {"containment_note": "已封堵端口"})
    api.do("bdc", path(reported), "Task_Investigate", {"cause": "配置错误", "responsible_vendor": ""})
    refused = api.do("bdc", path(reported), "Task_Report", {"report_summary": "已处置",
                                                             "report_attachment_ids": "999999"}, status=422)
    assert refused["error"]["fields"] == {"report_attachment_ids": ["No such attachment: 999999."]}
    assert open_element_ids(reported["instance_id"]) == ["Task_Report"]


def test_units_see_their_own_districts_theirs_city_roles_all(api, frozen, world):
    xh = incident(api, "unit")
    hp = incident(api, "hp_unit", title="黄浦事件")
    city = incident(api, "bdc", title="平台事件", severity=3)
    ids = lambda who: sorted(i["id"] for i in api.get(who, "/security-incidents"))  # noqa: E731
    assert ids("unit") == [xh["id"]]
    assert ids("other_unit") == []  # same district, another unit
    assert ids("xh_authority") == [xh["id"]]
    assert ids("hp_authority") == [hp["id"]]
    assert ids("authority") == ids("eitc") == ids("bdc") == sorted([xh["id"], hp["id"], city["id"]])
    assert ids("vendor2") == []
    for who, item in (("hp_unit", xh), ("other_unit", xh), ("hp_authority", xh), ("unit", city), ("vendor2", hp)):
        api.call(who, "GET", path(item), status=404)
    # The unit reported in its own district whatever it names.
    assert incident(api, "unit", tenant_id="pudong")["tenant"] == "xuhui"
