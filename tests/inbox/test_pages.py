"""The inbox pages without a browser: lists, the task page, CSRF on every post, substitutes."""
from __future__ import annotations

from datetime import timedelta

from app import clock
from tests.conftest import csrf_from
from tests.inbox.conftest import open_task, start


def test_claim_complete_and_leave_the_inbox(client, auth, db, people, approval):
    instance = start(db, people, business_key="REQ-77")
    task = open_task(db, instance.id)
    auth.login("op.hp")
    group = client.get("/inbox/?tab=group").get_data(as_text=True)
    assert task.id in group and "REQ-77" in group
    assert client.post(f"/inbox/tasks/{task.id}/claim").status_code == 400  # no CSRF token
    token = csrf_from(group)
    claimed = client.post(f"/inbox/tasks/{task.id}/claim", data={"csrf_token": token})
    assert claimed.status_code == 302
    page = client.get(f"/inbox/tasks/{task.id}").get_data(as_text=True)
    for expected in ("REQ-77", "M.19", 'data-testid="regulation"', 'data-testid="history"', "unit.hp",
                     'data-testid="form-example-approval"'):
        assert expected in page, expected
    refused = client.post(f"/inbox/tasks/{task.id}/complete", data={
        "csrf_token": token, "decision": "approve", "quantity": "5000", "comment": "同意"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-testid="form-errors"' in html and 'value="5000"' in html
    done = client.post(f"/inbox/tasks/{task.id}/complete", data={
        "csrf_token": token, "decision": "approve", "quantity": "5", "comment": "同意"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/inbox/")
    mine = client.get("/inbox/?tab=mine").get_data(as_text=True)
    assert task.id not in mine
    assert task.id in client.get("/inbox/?tab=done").get_data(as_text=True)
    readonly = client.get(f"/inbox/tasks/{task.id}").get_data(as_text=True)
    assert 'data-testid="task-done"' in readonly and 'action="/inbox/tasks/' not in readonly.split("task-main")[1]


def test_index_filters_render_for_city_roles(client, auth, db, people, approval):
    start(db, people)
    auth.login("bdc1")
    for query in ("", "?tab=group&district=huangpu&overdue=1&due_before=2030-01-01&sort=-due",
                  "?tab=done&sort=-completed", "?tab=covering", "?page=3", "?due_before=garbage"):
        response = client.get(f"/inbox/{query}")
        assert response.status_code == 200, query
    assert 'name="district"' in client.get("/inbox/").get_data(as_text=True)
    auth.logout()
    auth.login("op.hp")
    assert 'name="district"' not in client.get("/inbox/").get_data(as_text=True)


def test_other_tenants_task_page_is_404(client, auth, db, people, approval):
    task = open_task(db, start(db, people).id)
    auth.login("op.xh")
    assert client.get(f"/inbox/tasks/{task.id}").status_code == 404
    token = csrf_from(client.get("/inbox/").get_data(as_text=True))
    assert client.post(f"/inbox/tasks/{task.id}/claim", data={"csrf_token": token}).status_code == 404


def test_absence_page_sets_and_cancels(client, auth, db, people, frozen):
    auth.login("op.hp")
    page = client.get("/inbox/absences").get_data(as_text=True)
    assert 'value="op.hp2"' in page and 'value="op.xh"' not in page
    token = csrf_from(page)
    today = clock.now().date()
    bad = client.post("/inbox/absences", data={"csrf_token": token, "starts_on": "tomorrow", "ends_on": "",
                                               "substitute": "op.hp2"})
    assert bad.status_code == 422 and "field-error" in bad.get_data(as_text=True)
    ok = client.post("/inbox/absences", data={"csrf_token": token, "starts_on": today.isoformat(),
                                              "ends_on": (today + timedelta(days=2)).isoformat(),
                                              "substitute": "op.hp2"})
    assert ok.status_code == 302
    listed = client.get("/inbox/absences").get_data(as_text=True)
    assert listed.count('data-testid="absence-row"') == 1
    overlap = client.post("/inbox/absences", data={"csrf_token": token, "starts_on": today.isoformat(),
                                                   "ends_on": today.isoformat(), "substitute": "op.hp2"})
    assert overlap.status_code == 422
    absence_id = listed.split("/inbox/absences/")[1].split("/")[0]
    assert client.post(f"/inbox/absences/{absence_id}/cancel", data={"csrf_token": token}).status_code == 302
    assert 'data-testid="absence-row"' not in client.get("/inbox/absences").get_data(as_text=True)
