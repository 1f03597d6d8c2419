"""Who sees which task: tenant isolation (P.4(5)), roles as candidate groups, assignment."""
from __future__ import annotations

import pytest

from app.errors import Forbidden, NotFound
from app.inbox import service
from tests.inbox.conftest import actor, make_task


def ids(page) -> set[str]:
    return {item.id for item in page.items}


def test_group_tasks_are_those_of_my_role_in_my_tenant(db, people):
    mine = make_task(tenant="huangpu", groups=("district.operator",))
    other_tenant = make_task(tenant="xuhui", groups=("district.operator",))
    other_role = make_task(tenant="huangpu", groups=("district.finance",))
    claimed = make_task(tenant="huangpu", assignee="op.hp2")
    op = actor(people["op_hp"])
    assert ids(service.list_tasks(db.session, op, scope="candidate")) == {mine.id}
    assert ids(service.list_tasks(db.session, op, scope="all")) == {mine.id}
    assert ids(service.list_tasks(db.session, actor(people["op_xh"]), scope="candidate")) == {other_tenant.id}
    assert ids(service.list_tasks(db.session, actor(people["fin_hp"]), scope="candidate")) == {other_role.id}
    assert ids(service.list_tasks(db.session, actor(people["op_hp2"]), scope="mine")) == {claimed.id}


def test_city_role_sees_its_tasks_in_every_district_only(db, people):
    hp = make_task(tenant="huangpu", groups=("bdc",))
    xh = make_task(tenant="xuhui", groups=("bdc",))
    make_task(tenant="xuhui", groups=("district.operator",))
    make_task(tenant="xuhui", groups=("eitc",))
    assert ids(service.list_tasks(db.session, actor(people["bdc"]), scope="candidate")) == {hp.id, xh.id}


def test_another_tenants_task_is_absent_and_another_roles_forbidden(db, people):
    op = actor(people["op_hp"])
    with pytest.raises(NotFound):
        service.get_task(db.session, op, make_task(tenant="xuhui").id)
    with pytest.raises(NotFound):
        service.claim(db.session, op, make_task(tenant="xuhui").id)
    other_role = make_task(tenant="huangpu", groups=("district.finance",))
    with pytest.raises(Forbidden):
        service.get_task(db.session, op, other_role.id)
    with pytest.raises(Forbidden):
        service.claim(db.session, op, other_role.id)
    with pytest.raises(Forbidden):
        service.complete(db.session, op, other_role.id, {})


def test_a_colleagues_claimed_task_is_visible_to_the_group_but_not_workable(db, people):
    task = make_task(assignee="op.hp2")
    op = actor(people["op_hp"])
    assert service.get_task(db.session, op, task.id).id == task.id
    assert task.id not in ids(service.list_tasks(db.session, op, scope="all"))
    from app.errors import Conflict

    with pytest.raises(Conflict):
        service.claim(db.session, op, task.id)
    with pytest.raises(Forbidden):
        service.complete(db.session, op, task.id, {})


def test_claim_and_unclaim_move_the_task_between_inboxes(db, people):
    task = make_task()
    op = actor(people["op_hp"])
    service.claim(db.session, op, task.id)
    db.session.commit()
    assert ids(service.list_tasks(db.session, op, scope="mine")) == {task.id}
    assert ids(service.list_tasks(db.session, actor(people["op_hp2"]), scope="candidate")) == set()
    with pytest.raises(Forbidden):
        service.unclaim(db.session, actor(people["op_hp2"]), task.id)
    service.unclaim(db.session, op, task.id)
    db.session.commit()
    assert ids(service.list_tasks(db.session, actor(people["op_hp2"]), scope="candidate")) == {task.id}


def test_done_by_me_lists_my_completed_tasks_only(db, people):
    mine = make_task(status="completed", completed_by="op.hp")
    make_task(status="completed", completed_by="op.hp2")
    make_task()
    assert ids(service.list_tasks(db.session, actor(people["op_hp"]), scope="done")) == {mine.id}


def test_api_lists_and_isolates(client, auth, db, people):
    mine = make_task(tenant="huangpu")
    other = make_task(tenant="xuhui")
    headers = auth.headers("op.hp")
    body = client.get("/api/v1/tasks?scope=candidate", headers=headers).get_json()
    assert [t["id"] for t in body["items"]] == [mine.id]
    assert body["items"][0]["overdue"] is False and "due_soon" in body["items"][0]
    assert client.get(f"/api/v1/tasks/{other.id}", headers=headers).status_code == 404
    for action in ("claim", "unclaim", "complete"):
        assert client.post(f"/api/v1/tasks/{other.id}/{action}", headers=headers, json={}).status_code == 404
    finance = make_task(tenant="huangpu", groups=("district.finance",))
    assert client.get(f"/api/v1/tasks/{finance.id}", headers=headers).status_code == 403
    assert client.post(f"/api/v1/tasks/{finance.id}/claim", headers=headers).status_code == 403


def test_a_task_offered_to_named_people_is_in_their_candidate_list_only(db, people):
    # camunda:candidateUsers without a group: before, such a task showed in nobody's list.
    named = make_task(groups=(), candidate_users=("op.hp2",))
    assert ids(service.list_tasks(db.session, actor(people["op_hp2"]), scope="candidate")) == {named.id}
    assert named.id not in ids(service.list_tasks(db.session, actor(people["op_hp"]), scope="candidate"))
    service.claim(db.session, actor(people["op_hp2"]), named.id)
    db.session.commit()
    assert ids(service.list_tasks(db.session, actor(people["op_hp2"]), scope="mine")) == {named.id}
    assert ids(service.list_tasks(db.session, actor(people["op_hp2"]), scope="candidate")) == set()
