"""The admin pages without a browser: definitions and upload, the instance list, the instance page,
the dashboard, migration; errors shown next to the field that caused them."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from app import clock
from app.calendar.rules import SHANGHAI
from app.extensions import db as _db
from app.workflow.models import HumanTask
from tests.admin.conftest import approve, deploy, open_tasks, reload, start, xml_v1, xml_with_check
from tests.conftest import csrf_from

BROKEN = xml_v1().replace(b'camunda:candidateGroups="bdc"', b'camunda:candidateGroups="bdc.typo"')


def _upload(client, data: bytes, name: str = "admin_review.bpmn"):
    token = csrf_from(client.get("/admin/definitions").get_data(as_text=True))
    return client.post("/admin/definitions", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_owner_uploads_a_broken_diagram_sees_why_then_deploys_the_fix(client, auth, db, people, v1):
    auth.login("owner1")
    response = _upload(client, BROKEN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-testid="upload-problems"' in page
    problem = re.search(r'data-testid="problem" data-element-id="Review">(.*?)</li>', page, re.S).group(1)
    assert "admin_review.bpmn:" in problem and "bdc.typo" in problem  # file:line, element, reason
    response = _upload(client, xml_with_check())
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/definitions/admin_review/2")
    page = client.get("/admin/definitions").get_data(as_text=True)
    assert 'data-version="2"' in page and "owner1" in page
    again = _upload(client, xml_with_check())  # the same content is not deployed twice
    assert again.headers["Location"].endswith("/admin/definitions/admin_review/2")


def test_upload_refuses_other_files_next_to_the_field(client, auth, db, people):
    auth.login("owner1")
    response = _upload(client, b"hello", name="notes.txt")
    assert response.status_code == 400
    assert 'data-testid="error-file"' in response.get_data(as_text=True)


def test_definitions_page_counts_instances_per_version(client, auth, db, people, v1):
    start(people, business_key="A")
    done = start(people, business_key="B")
    approve(people, done.id, approved=False)
    deploy(xml_with_check())
    start(people, business_key="C")
    auth.login("admin1")
    page = client.get("/admin/definitions").get_data(as_text=True)
    rows = dict(re.findall(r'data-version="(\d)">(.*?)</tr>', page, re.S))
    assert re.search(r"status=running\">1</a>", rows["1"]) and re.search(r"<td>1</td>", rows["1"])
    assert re.search(r"status=running\">1</a>", rows["2"])
    xml = client.get("/admin/definitions/admin_review/1/xml")
    assert xml.headers["Content-Disposition"] == 'attachment; filename="admin_review-v1.bpmn"'
    assert xml.data == xml_v1()


def test_instance_list_filters_and_pages(client, auth, db, people, v1):
    for n in range(30):
        start(people, business_key=f"REQ-{n:02d}", who="unit_xh" if n % 3 == 0 else "unit")
    auth.login("admin1")

    def ids(**query) -> list[str]:
        page = client.get("/admin/instances", query_string=query).get_data(as_text=True)
        return re.findall(r'data-testid="instance-row" data-instance-id="(\d+)"', page)

    assert len(ids()) == 25 and len(ids(page=2)) == 5
    assert len(ids(tenant="xuhui")) == 10
    assert len(ids(business_key="REQ-1")) == 10  # contains: REQ-10 … REQ-19
    assert len(ids(waiting_at="Review")) == 25 and ids(waiting_at="Check") == []
    assert ids(status="completed") == [] and ids(incident="1") == []
    today = clock.now().astimezone(SHANGHAI).date()  # the form's days are Shanghai days
    assert len(ids(started_from=today.isoformat(), started_to=today.isoformat(), process="admin_review",
                   version=1)) == 25
    assert ids(started_from=(today + timedelta(days=2)).isoformat()) == []


def test_instance_page_shows_diagram_marks_tasks_timers_and_history(client, auth, db, people, v1):
    instance = start(people)
    auth.login("admin1")
    page = client.get(f"/admin/instances/{instance.id}").get_data(as_text=True)
    assert """data-active='["Review", "Overdue"]'""" in page
    assert """data-flows='["Flow_1"]'""" in page
    assert "/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no CDN: every asset is ours
    assert 'data-testid="open-tasks"' in page and "bdc1" in page  # who can take it
    assert 'data-testid="pending-timers"' in page and "Overdue" in page
    assert 'data-testid="chain-status"' in page and 'class="chain-ok"' in page
    assert 'data-kind="started"' in page


def test_refused_action_shows_the_reason_next_to_the_field(client, auth, db, people, v1):
    instance = start(people)
    auth.login("admin1")
    token = csrf_from(client.get(f"/admin/instances/{instance.id}").get_data(as_text=True))
    response = client.post(f"/admin/instances/{instance.id}/move",
                           data={"csrf_token": token, "source": "Review", "target": "Escalate", "reason": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    form = re.search(r'data-testid="form-move">(.*?)</form>', page, re.S).group(1)
    assert 'data-testid="error-reason"' in form
    response = client.post(f"/admin/instances/{instance.id}/move",
                           data={"csrf_token": token, "source": "Review", "target": "StartEvent_1", "reason": "r"})
    assert response.status_code == 409
    form = re.search(r'data-testid="form-move">(.*?)</form>', response.get_data(as_text=True), re.S).group(1)
    assert 'data-testid="error-target"' in form and "start event" in form
    response = client.post(f"/admin/instances/{instance.id}/variables",
                           data={"csrf_token": token, "values": "{not json", "reason": "r"})
    assert response.status_code == 400 and 'data-testid="error-values"' in response.get_data(as_text=True)


def test_actions_through_the_page(client, auth, db, people, v1):
    instance = start(people)
    auth.login("admin1")
    token = csrf_from(client.get(f"/admin/instances/{instance.id}").get_data(as_text=True))
    response = client.post(f"/admin/instances/{instance.id}/suspend", data={"csrf_token": token, "reason": "hold"})
    assert response.status_code == 302 and reload(instance.id).status == "suspended"
    page = client.get(f"/admin/instances/{instance.id}").get_data(as_text=True)
    assert 'data-testid="form-resume"' in page
    client.post(f"/admin/instances/{instance.id}/resume", data={"csrf_token": token, "reason": "go"})
    client.post(f"/admin/instances/{instance.id}/variables",
                data={"csrf_token": token, "values": '{"amount": 42}', "reason": "fix"})
    client.post(f"/admin/instances/{instance.id}/move",
                data={"csrf_token": token, "source": "Review", "target": "Escalate", "reason": "reassign"})
    assert [t.element_id for t in open_tasks(instance.id)] == ["Escalate"]
    deploy(xml_with_check())
    response = client.post(f"/admin/instances/{instance.id}/migrate",
                           data={"csrf_token": token, "target_version": "2", "reason": "rollout"})
    assert response.status_code == 302 and reload(instance.id).definition.version == 2
    client.post(f"/admin/instances/{instance.id}/cancel", data={"csrf_token": token, "reason": "withdrawn"})
    assert reload(instance.id).status == "cancelled"


def test_dashboard_draws_overdue_tasks_by_district(client, auth, db, people, v1):
    for who in ("unit", "unit", "unit_xh"):
        start(people, who=who)
    past = clock.now() - timedelta(days=1)
    for task in _db.session.query(HumanTask).execution_options(tenant_checked=True):
        task.due_at = past
    _db.session.commit()
    auth.login("admin1")
    page = client.get("/admin/").get_data(as_text=True)
    chart = re.search(r'<svg class="bars" data-testid="overdue-chart".*?</svg>', page, re.S).group(0)
    assert chart.index("黄浦区") < chart.index("徐汇区")  # most overdue first
    assert "<title>黄浦区: 2</title>" in chart
    assert 'data-testid="jobs"' in page or "scheduler" in page.lower()


def test_migration_page_previews_then_reports(client, auth, db, people, v1):
    waiting = start(people)
    deploy(xml_with_check())
    auth.login("admin1")
    token = csrf_from(client.get("/admin/migrations").get_data(as_text=True))
    preview = client.post("/admin/migrations", data={"csrf_token": token, "process_key": "admin_review",
                                                     "do": "preview"}).get_data(as_text=True)
    assert f'data-ok="yes"><td><a href="/admin/instances/{waiting.id}"' in preview
    assert reload(waiting.id).definition.version == 1
    missing_reason = client.post("/admin/migrations", data={"csrf_token": token, "process_key": "admin_review",
                                                            "do": "migrate"})
    assert missing_reason.status_code == 422 and 'data-testid="error-reason"' in missing_reason.get_data(as_text=True)
    done = client.post("/admin/migrations", data={"csrf_token": token, "process_key": "admin_review",
                                                  "do": "migrate", "reason": "v2"}).get_data(as_text=True)
    assert 'data-testid="result-row" data-ok="yes"' in done
    assert reload(waiting.id).definition.version == 2


def test_finished_and_failing_instances_show_their_path_and_incident(client, auth, db, people, v1):
    from app.workflow import service as workflow_service
    from tests.admin.conftest import FAIL, actor

    done = start(people, business_key="DONE")
    approve(people, done.id, approved=False)
    failing = start(people, business_key="FAIL")
    approve(people, failing.id)
    FAIL["record"] = True
    workflow_service.send_message(_db.session, actor(people["bdc"]), failing.id, "payment_confirmed")
    _db.session.commit()
    auth.login("admin1")
    page = client.get(f"/admin/instances/{done.id}").get_data(as_text=True)
    assert "data-active='[]'" in page and '"Flow_no"' in page and 'data-testid="form-suspend"' not in page
    page = client.get(f"/admin/instances/{failing.id}").get_data(as_text=True)
    assert """data-incidents='["Record"]'""" in page and 'data-testid="form-retry"' in page
    assert "records office is closed" in page
