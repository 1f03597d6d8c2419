"""Bulk approval: one form for several tasks of one step, each completed in its own transaction."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import ValidationFailed
from app.extensions import db as _db
from app.inbox import bulk, service
from app.security import all_tenants
from app.workflow.models import HumanTask
from tests.conftest import csrf_from
from tests.inbox.conftest import GOOD, actor, make_task, open_task, start

pytestmark = pytest.mark.usefixtures("approval")


def three(db, people) -> list[str]:
    return [open_task(db, start(db, people, business_key=f"REQ-{n}").id).id for n in range(3)]


def run(db, op, ids, data):
    return bulk.complete_many(db.session, op, ids, data, commit=_db.session.commit, rollback=_db.session.rollback)


def test_each_task_completes_alone_and_failures_are_reported(db, people):
    ids = three(db, people)
    op = actor(people["op_hp"])
    service.complete(db.session, op, ids[1], GOOD)  # done meanwhile by someone: 409 for that one only
    db.session.commit()
    outcomes = run(db, op, ids, GOOD)
    assert [(o.task_id, o.ok, o.status) for o in outcomes] == [(ids[0], True, 200), (ids[1], False, 409),
                                                               (ids[2], True, 200)]
    statuses = dict(db.session.execute(all_tenants(select(HumanTask.id, HumanTask.status).where(
        HumanTask.id.in_(ids)))).all())
    assert set(statuses.values()) == {"completed"}


def test_invalid_input_completes_nothing(db, people):
    ids = three(db, people)
    with pytest.raises(ValidationFailed) as refused:
        run(db, actor(people["op_hp"]), ids, {**GOOD, "quantity": 5000})
    assert "quantity" in refused.value.fields
    db.session.rollback()
    assert all(open_task(db, instance_id) for instance_id in db.session.scalars(all_tenants(
        select(HumanTask.instance_id).where(HumanTask.id.in_(ids)))))


def test_mixed_selection_is_refused(db, people):
    ids = three(db, people)
    other = make_task(element_id="Other")
    with pytest.raises(ValidationFailed) as refused:
        bulk.select_tasks(db.session, actor(people["op_hp"]), [ids[0], other.id])
    assert refused.value.code == "mixed_selection"


def test_api_bulk_complete(client, auth, db, people):
    ids = three(db, people)
    headers = auth.headers("op.hp")
    xuhui = make_task(tenant="xuhui")
    assert client.post("/api/v1/tasks/bulk-complete", headers=headers,
                       json={"task_ids": [ids[0], xuhui.id], "data": GOOD}).status_code == 404
    body = client.post("/api/v1/tasks/bulk-complete", headers=headers, json={"task_ids": ids, "data": GOOD}).get_json()
    assert (body["completed"], body["failed"]) == (3, 0)
    again = client.post("/api/v1/tasks/bulk-complete", headers=headers, json={"task_ids": ids, "data": GOOD})
    assert again.status_code == 200 and [i["status"] for i in again.get_json()["items"]] == [409, 409, 409]
    assert client.post("/api/v1/tasks/bulk-complete", headers=headers, json={"task_ids": []}).status_code == 422


def test_bulk_pages(client, auth, db, people):
    ids = three(db, people)
    auth.login("op.hp")
    page = client.get("/inbox/bulk", query_string={"ids": ids})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "REQ-2" in html
    token = csrf_from(html)
    refused = client.post("/inbox/bulk", data={"ids": ids, "csrf_token": token, "decision": "approve",
                                               "quantity": "0", "comment": "好的"})
    assert refused.status_code == 422 and 'data-testid="form-errors"' in refused.get_data(as_text=True)
    done = client.post("/inbox/bulk", data={"ids": ids, "csrf_token": token, "decision": "approve",
                                            "quantity": "3", "comment": "好的"})
    assert done.status_code == 200 and done.get_data(as_text=True).count('data-ok="true"') == 3
