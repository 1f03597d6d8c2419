"""Governance pages: lists and details for each role, the vendor's plan form with the refusal next
to its field, recording a change carried out, reporting an incident, starting a drill."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import csrf_from


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def post(client, path: str, data: dict):
    token = csrf_from(page(client, "/"))
    return client.post(path, data={**data, "csrf_token": token})


PLAN = {"title": "存储扩容调整", "impact": "无中断", "rollback_plan": "回退至原配置",
        "window_start": "2025-09-28T10:00", "window_end": "2025-09-28T12:00", "affected_districts": ["xuhui"]}


def test_vendor_submits_a_plan_and_sees_a_refusal_next_to_the_field(client, auth, api, frozen, world):
    first, second, foreign = api.upload("vendor", "plan.pdf"), api.upload("vendor", "rollback.pdf"), \
        api.upload("vendor2")
    documents = {"attachment_ids": f"{first}, {second}"}
    auth.login("vendor.a1")
    html = page(client, "/governance/changes")
    assert "Submit a change plan" in html and 'data-testid="attachments-widget"' in html  # the upload link
    late = post(client, "/governance/changes", PLAN | documents | {"window_start": "2025-09-26T10:00"})
    assert late.status_code == 422
    html = late.get_data(as_text=True)
    assert 'data-testid="error-window_start"' in html and "The earliest start is 2025-09-28." in html
    bad = post(client, "/governance/changes", PLAN | {"attachment_ids": f"{first}, x"})
    assert bad.status_code == 422 and "List attachment numbers, e.g. 3, 5." in bad.get_data(as_text=True)
    other = post(client, "/governance/changes", PLAN | {"attachment_ids": f"{first}, {foreign}"})
    html = other.get_data(as_text=True)  # another vendor's file answers like a missing one, by the field
    assert other.status_code == 422 and 'data-testid="error-attachment_ids"' in html
    assert f"No such attachment: {foreign}." in html

    done = post(client, "/governance/changes", PLAN | documents)
    assert done.status_code == 303
    html = page(client, done.headers["Location"])
    assert "存储扩容调整" in html and "徐汇区" in html
    for number in (first, second):  # each document a download link
        assert f'href="/attachments/{number}/download" download>#{number}</a>' in html
    assert "审核优化调整方案" in html  # waiting on bdc's review


def test_change_carried_out_before_approval_shows_as_a_violation(client, auth, api, frozen, world):
    change = api.post("vendor", "/vendor-changes", PLAN | {"window_start": "2025-09-28T10:00:00+08:00",
                                                           "window_end": "2025-09-28T12:00:00+08:00"})
    frozen.current = datetime(2025, 9, 23, 2, 0, tzinfo=UTC)
    auth.login("bdc1")
    response = post(client, f"/governance/changes/{change['id']}/carried-out",
                    {"carried_out_at": "2025-09-23T09:00", "note": "未经批准擅自实施"})
    assert response.status_code == 303
    html = page(client, f"/governance/changes/{change['id']}")
    assert "Carried out without approval" in html and "未经批准擅自实施" in html
    auth.logout()
    auth.login("authority1")
    assert "Carried out without approval" in page(client, "/governance/changes")
    auth.logout()
    auth.login("vendor.b1")
    page(client, f"/governance/changes/{change['id']}", status=404)
    assert "存储扩容调整" not in page(client, "/governance/changes")


def test_unit_reports_an_incident_and_the_district_sees_it(client, auth, frozen, world):
    auth.login("xh.unit")
    response = post(client, "/governance/incidents", {"title": "网站被篡改", "severity": "3",
                                                      "occurred_at": "2025-09-22T08:00", "attachment_ids": ""})
    assert response.status_code == 303
    html = page(client, response.headers["Location"])
    assert "网站被篡改" in html and "较大" in html and "应急处置" in html
    refused = post(client, "/governance/incidents", {"title": "", "severity": "3", "occurred_at": "2025-09-22T08:00"})
    assert refused.status_code == 422 and 'data-testid="error-title"' in refused.get_data(as_text=True)
    auth.logout()
    auth.login("xh.authority")
    assert "网站被篡改" in page(client, "/governance/incidents")
    auth.logout()
    auth.login("hp.authority")
    assert "网站被篡改" not in page(client, "/governance/incidents")


def test_bdc_starts_a_drill_from_the_page(client, auth, frozen, world):
    auth.login("bdc1")
    response = post(client, "/governance/drills", {"title": "数据中心断电演练"})
    assert response.status_code == 303
    html = page(client, response.headers["Location"])
    assert "数据中心断电演练" in html and "制定演练计划" in html
    assert "数据中心断电演练" in page(client, "/governance/drills")
    auth.logout()
    auth.login("xh.unit")
    assert "Drills" not in page(client, "/")  # not in a unit's navigation


def test_the_inbox_renders_each_governance_form(client, auth, api, frozen, world):
    """The forms are Camunda Forms the inbox renders: the plan, the deadline and the vendor choice show."""
    change = api.post("vendor", "/vendor-changes", PLAN | {"window_start": "2025-09-28T10:00:00+08:00",
                                                           "window_end": "2025-09-28T12:00:00+08:00"})
    reported = api.post("unit", "/security-incidents", {"title": "数据库异常访问", "severity": 3,
                                                       "occurred_at": "2025-09-22T08:00:00+08:00"})
    api.do("bdc", f"/security-incidents/{reported['id']}", "Task_Contain", {"containment_note": "封禁来源地址"})
    auth.login("bdc1")
    review = api.step("bdc", f"/vendor-changes/{change['id']}", "Task_BdcReview")
    html = page(client, f"/inbox/tasks/{review['task_id']}")
    assert "存储扩容调整" in html and "回退至原配置" in html and 'name="review_decision"' in html
    investigate = api.step("bdc", f"/security-incidents/{reported['id']}", "Task_Investigate")
    html = page(client, f"/inbox/tasks/{investigate['task_id']}")
    assert "封禁来源地址" in html and "甲云服务商" in html and "乙云服务商" in html
    # The report's documents field is an attachments field: the upload link under it.
    api.do("bdc", f"/security-incidents/{reported['id']}", "Task_Investigate", {"cause": "弱口令"})
    report = api.step("bdc", f"/security-incidents/{reported['id']}", "Task_Report")
    assert 'data-testid="attachments-report_attachment_ids"' in page(client, f"/inbox/tasks/{report['task_id']}")
