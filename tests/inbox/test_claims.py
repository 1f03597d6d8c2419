"""Claims: one winner when two people claim at once, and every claim and release in the audit chain."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update

from app.errors import Conflict
from app.inbox import service
from app.security import all_tenants
from app.workflow.audit import verify_chain
from app.workflow.models import AuditEvent, HumanTask, ProcessInstance
from tests.inbox.conftest import actor, make_task


def _events(db, instance_id: int) -> list[tuple[str, str, dict]]:
    rows = db.session.scalars(all_tenants(select(AuditEvent).where(AuditEvent.instance_id == instance_id)
                                          .order_by(AuditEvent.seq)))
    return [(e.kind, e.actor, e.details) for e in rows]


def _row(db, model, ident):
    return db.session.scalar(all_tenants(select(model).where(model.__mapper__.primary_key[0] == ident)))


def test_claim_and_release_are_audited_in_the_instance_chain(db, people):
    task = make_task()
    service.claim(db.session, actor(people["op_hp"]), task.id)
    db.session.commit()
    service.unclaim(db.session, actor(people["op_hp"]), task.id)
    db.session.commit()
    assert _events(db, task.instance_id) == [("task_claimed", "op.hp", {"task": task.id}),
                                             ("task_released", "op.hp", {"task": task.id, "claimed_by": "op.hp"})]
    instance = _row(db, ProcessInstance, task.instance_id)
    assert verify_chain(db.session, instance) == (True, None)


def test_a_claim_on_a_stale_read_loses_to_the_one_already_written(db, people):
    # Two people opened the task while it was free; the colleague's claim is written first.
    task = make_task()
    stale = _row(db, HumanTask, task.id)
    db.session.execute(all_tenants(update(HumanTask).where(HumanTask.id == task.id).values(assignee="op.hp2")
                                   .execution_options(synchronize_session=False)))
    assert stale.assignee is None  # what the second claimer's session still believes
    with pytest.raises(Conflict) as refused:
        service._set_assignee(db.session, stale, "op.hp", expected=(None, "op.hp"))
    assert refused.value.code == "task_claimed"
    assert _row(db, HumanTask, task.id).assignee == "op.hp2"


@pytest.mark.postgres
def test_two_people_claiming_at_once_one_wins(app, db, people):
    task = make_task()
    results: list[str] = []
    barrier = threading.Barrier(2)

    def work(person: str):
        with app.app_context():
            from app.extensions import db as local_db

            barrier.wait()
            try:
                service.claim(local_db.session, actor(people[person]), task.id)
                local_db.session.commit()
                results.append(f"ok:{person}")
            except Conflict as exc:
                local_db.session.rollback()
                results.append(exc.code)
            finally:
                local_db.session.remove()

    threads = [threading.Thread(target=work, args=(p,)) for p in ("op_hp", "op_hp2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) in (["ok:op_hp", "task_claimed"], ["ok:op_hp2", "task_claimed"])
    db.session.expire_all()
    winner = next(r for r in results if r.startswith("ok:"))[3:]
    assert _row(db, HumanTask, task.id).assignee == people[winner].username
    assert [kind for kind, *_ in _events(db, task.instance_id)] == ["task_claimed"]
