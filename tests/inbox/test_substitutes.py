"""Absences and substitutes: the substitute sees the absent user's tasks during the period only."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.errors import Conflict, Forbidden, ValidationFailed
from app.inbox import service, substitutes
from tests import builders
from tests.inbox.conftest import actor, make_task


def covering(db, user) -> set[str]:
    return {item.id for item in service.list_tasks(db.session, actor(user), scope="covering").items}


def absent(db, people, first: date, last: date, substitute: str = "op.hp2"):
    found = substitutes.set_absence(db.session, actor(people["op_hp"]), substitute=substitute, starts_on=first,
                                    ends_on=last)
    db.session.commit()
    return found


def test_substitute_sees_the_absent_users_tasks_only_during_the_absence(db, people, frozen):
    task = make_task(assignee="op.hp")
    make_task(assignee="op.hp", groups=("district.finance",))  # a role the substitute does not hold
    make_task(assignee="someone.else")
    today = date(2025, 11, 19)
    absent(db, people, today + timedelta(days=1), today + timedelta(days=3))
    sub = people["op_hp2"]
    assert covering(db, sub) == set()  # before: the absence has not begun
    frozen.advance(days=1)  # Thursday 09:00, first day of absence
    assert covering(db, sub) == {task.id}
    assert task.id in {i.id for i in service.list_tasks(db.session, actor(sub), scope="all").items}
    assert service.get_task(db.session, actor(sub), task.id).id == task.id
    frozen.advance(days=2, hours=14)  # Saturday 23:00: last day still covered
    assert covering(db, sub) == {task.id}
    frozen.advance(hours=1)  # Sunday 00:00: the absence is over
    assert covering(db, sub) == set()
    assert task.id not in {i.id for i in service.list_tasks(db.session, actor(sub), scope="all").items}
    with pytest.raises(Forbidden):  # a group member may read a colleague's task, not do it
        service.complete(db.session, actor(sub), task.id, {})


def test_cancelled_absence_ends_the_cover(db, people, frozen):
    task = make_task(assignee="op.hp")
    record = absent(db, people, date(2025, 11, 19), date(2025, 11, 21))
    assert covering(db, people["op_hp2"]) == {task.id}
    with pytest.raises(Forbidden):
        substitutes.cancel_absence(db.session, actor(people["op_hp2"]), record.id)
    substitutes.cancel_absence(db.session, actor(people["op_hp"]), record.id)
    db.session.commit()
    assert covering(db, people["op_hp2"]) == set()


def test_substitute_must_share_role_and_tenant(db, people, frozen):
    first, last = date(2025, 11, 20), date(2025, 11, 21)
    for substitute in ("op.xh", "fin.hp", "op.hp", "nobody"):
        with pytest.raises(ValidationFailed) as refused:
            absent(db, people, first, last, substitute=substitute)
        assert "substitute" in refused.value.fields
    inactive = builders.user("op.hp.gone", roles="district.operator", tenant="huangpu")
    inactive.active = False
    db.session.commit()
    with pytest.raises(ValidationFailed):
        absent(db, people, first, last, substitute="op.hp.gone")
    assert [c.username for c in substitutes.eligible_substitutes(db.session, actor(people["op_hp"]))] == ["op.hp2"]


def test_period_is_checked_and_absences_do_not_overlap(db, people, frozen):
    with pytest.raises(ValidationFailed) as refused:
        absent(db, people, date(2025, 11, 21), date(2025, 11, 20))
    assert "ends_on" in refused.value.fields
    with pytest.raises(ValidationFailed):
        absent(db, people, date(2025, 11, 1), date(2025, 11, 18))  # already over
    absent(db, people, date(2025, 11, 20), date(2025, 11, 25))
    with pytest.raises(Conflict):
        absent(db, people, date(2025, 11, 25), date(2025, 11, 26))
    absent(db, people, date(2025, 11, 26), date(2025, 11, 27))


def test_only_admins_set_an_absence_for_someone_else(db, people, frozen):
    with pytest.raises(Forbidden):
        substitutes.set_absence(db.session, actor(people["op_hp2"]), username="op.hp", substitute="op.hp2",
                                starts_on=date(2025, 11, 20), ends_on=date(2025, 11, 21))
    done = substitutes.set_absence(db.session, actor(people["admin"]), username="op.hp", substitute="op.hp2",
                                   starts_on=date(2025, 11, 20), ends_on=date(2025, 11, 21))
    assert (done.username, done.tenant_id, done.created_by) == ("op.hp", "huangpu", "admin1")


def test_absences_api(client, auth, db, people, frozen):
    headers = auth.headers("op.hp")
    assert [c["username"] for c in client.get("/api/v1/absences/colleagues", headers=headers).get_json()] == ["op.hp2"]
    created = client.post("/api/v1/absences", headers=headers, json={
        "substitute": "op.hp2", "starts_on": "2025-11-19", "ends_on": "2025-11-21", "note": "培训"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["starts_on"], body["ends_on"]) == ("2025-11-19", "2025-11-21")
    ends_at = datetime.fromisoformat(body["ends_at"])
    assert ends_at == datetime(2025, 11, 21, 16, 0, tzinfo=UTC)  # 24:00 Shanghai on the last day
    overlap = client.post("/api/v1/absences", headers=headers, json={
        "substitute": "op.hp2", "starts_on": "2025-11-20", "ends_on": "2025-11-22"})
    assert overlap.status_code == 409
    assert [a["id"] for a in client.get("/api/v1/absences", headers=auth.headers("op.hp2")).get_json()] == [body["id"]]
    other = auth.headers("op.xh")
    assert client.get("/api/v1/absences", headers=other).get_json() == []
    assert client.delete(f"/api/v1/absences/{body['id']}", headers=other).status_code == 404
    assert client.delete(f"/api/v1/absences/{body['id']}", headers=headers).status_code == 200
