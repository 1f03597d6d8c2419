"""Notifications: new group task, assigned, due soon (working days), overdue; the scan is idempotent."""
from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import select

from app import clock
from app.inbox import notifications, service, substitutes
from app.inbox.models import Notification
from app.jobs import registry
from app.jobs.registry import JobContext
from app.security import all_tenants
from tests.inbox.conftest import actor, make_task


def sent(db) -> set[tuple[str, str, str]]:
    rows = db.session.scalars(all_tenants(select(Notification))).all()
    return {(n.username, n.kind, n.task_id) for n in rows}


def scan(db):
    result = notifications.scan(db.session, now=clock.now())
    db.session.commit()
    return result


def test_new_group_task_reaches_the_group_in_the_tasks_tenant_only(db, people, frozen):
    task = make_task(tenant="huangpu", groups=("district.operator",))
    city = make_task(tenant="xuhui", groups=("bdc",))
    scan(db)
    assert sent(db) == {("op.hp", "new_group_task", task.id), ("op.hp2", "new_group_task", task.id),
                        ("bdc1", "new_group_task", city.id)}
    before = sent(db)
    result = scan(db)  # safe to run twice: nothing doubles
    assert sent(db) == before and result.summary() == "nothing to notify"


def test_assigned_task_notifies_the_assignee_and_their_substitute(db, people, frozen):
    substitutes.set_absence(db.session, actor(people["op_hp"]), substitute="op.hp2", starts_on=date(2025, 11, 19),
                            ends_on=date(2025, 11, 20))
    db.session.commit()
    task = make_task(assignee="op.hp")
    scan(db)
    assert sent(db) == {("op.hp", "assigned", task.id), ("op.hp2", "assigned", task.id)}
    behalf = db.session.scalar(all_tenants(select(Notification.on_behalf_of).where(Notification.username == "op.hp2")))
    assert behalf == "op.hp"


def test_a_task_claimed_before_the_scan_is_not_announced(db, people, frozen):
    task = make_task()
    service.claim(db.session, actor(people["op_hp"]), task.id)
    db.session.commit()
    scan(db)
    assert sent(db) == set()


def test_old_tasks_are_not_announced_when_the_scan_first_runs(db, people, frozen):
    make_task(created_at=clock.now() - timedelta(days=10))
    scan(db)
    assert sent(db) == set()


def test_due_soon_then_overdue_in_working_days(db, people, frozen):
    # Wednesday 09:00; threshold 2 working days: due Monday is not soon yet, due Friday is.
    friday = make_task(assignee="op.hp", due_at=clock.now() + timedelta(days=2))
    monday = make_task(assignee="op.hp", due_at=clock.now() + timedelta(days=5))
    scan(db)
    kinds = {(kind, task) for _user, kind, task in sent(db)}
    assert ("due_soon", friday.id) in kinds and ("due_soon", monday.id) not in kinds
    frozen.advance(days=2)  # Friday 09:00: Monday is now 1 working day away
    scan(db)
    assert ("op.hp", "due_soon", monday.id) in sent(db)
    frozen.advance(days=1)  # Saturday: Friday's task is overdue
    scan(db)
    assert ("op.hp", "overdue", friday.id) in sent(db) and ("op.hp", "overdue", monday.id) not in sent(db)
    count = len(sent(db))
    scan(db)
    assert len(sent(db)) == count


def test_reading_notifications(client, auth, db, people, frozen):
    task = make_task()
    other = make_task(tenant="xuhui")
    scan(db)
    headers = auth.headers("op.hp")
    body = client.get("/api/v1/notifications", headers=headers).get_json()
    assert (body["total"], body["unread"]) == (1, 1) and body["items"][0]["task_id"] == task.id
    mine = body["items"][0]["id"]
    xuhui = db.session.scalar(all_tenants(select(Notification.id).where(Notification.task_id == other.id)))
    assert client.post(f"/api/v1/notifications/{xuhui}/read", headers=headers).status_code == 404
    colleague = db.session.scalar(all_tenants(select(Notification.id).where(Notification.username == "op.hp2")))
    assert client.post(f"/api/v1/notifications/{colleague}/read", headers=headers).status_code == 404
    assert client.post(f"/api/v1/notifications/{mine}/read", headers=headers).get_json()["read_at"]
    assert client.get("/api/v1/notifications?unread=true", headers=headers).get_json()["items"] == []
    assert client.post("/api/v1/notifications/read-all", headers=auth.headers("op.hp2")).get_json() == {"marked": 1}


def test_bell_and_page_link_to_the_task(client, auth, db, people, frozen):
    task = make_task(name="审核资源申请")
    scan(db)
    auth.login("op.hp")
    page = client.get("/inbox/notifications").get_data(as_text=True)
    assert 'data-testid="bell-count">1<' in page and "审核资源申请" in page
    note = db.session.scalar(all_tenants(select(Notification).where(Notification.username == "op.hp")))
    opened = client.get(f"/inbox/notifications/{note.id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/inbox/tasks/{task.id}")
    assert 'data-testid="bell-count"' not in client.get("/inbox/").get_data(as_text=True)


def test_the_job_is_declared_and_runs_the_scan(app, db, people, frozen):
    spec = registry.load(("app.inbox.jobs",))["inbox.notify"]
    assert (spec.trigger, spec.schedule) == ("interval", {"minutes": 1})
    make_task()
    message = spec.func(JobContext(session=db.session, now=clock.now(), log=logging.getLogger("test")))
    db.session.commit()
    assert message.startswith("new: 1 tasks, 2 notices")
