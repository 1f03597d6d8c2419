"""Admin repairs through the engine: suspend/resume, variables, moving a token, incidents."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import Conflict, ValidationFailed
from app.security import all_tenants
from app.workflow import operations
from app.workflow import service as workflow_service
from app.workflow.audit import verify_chain
from app.workflow.models import HumanTask, Incident, Timer
from tests.admin.conftest import FAIL, actor, approve, events, open_tasks, reload, start


def pending_timers(instance_id: int) -> list[Timer]:
    from app.extensions import db

    return list(db.session.scalars(all_tenants(select(Timer).where(
        Timer.instance_id == instance_id, Timer.status == "pending"))))


def test_suspended_instance_refuses_tasks_and_messages_but_keeps_them(db, v1, people):
    instance = start(people)
    admin = actor(people["admin"])
    [timer] = pending_timers(instance.id)
    operations.suspend(db.session, admin, instance.id, reason="vendor contract under review")
    db.session.commit()
    assert reload(instance.id).status == "suspended"
    [task] = open_tasks(instance.id)  # still open: it waits for the instance to resume
    assert [t.id for t in pending_timers(instance.id)] == [timer.id]
    with pytest.raises(Conflict) as refused:
        workflow_service.complete_task(db.session, actor(people["bdc"]), task.id, {"approved": True})
    assert refused.value.code == "instance_suspended"
    db.session.rollback()
    with pytest.raises(Conflict):
        workflow_service.fire_timer(db.session, timer.id)
    db.session.rollback()
    with pytest.raises(Conflict):  # suspending twice
        operations.suspend(db.session, admin, instance.id, reason="again")
    db.session.rollback()

    operations.resume(db.session, admin, instance.id, reason="review done")
    db.session.commit()
    assert reload(instance.id).status == "running"
    approve(people, instance.id)
    assert reload(instance.id).status == "running"
    kinds = [e.kind for e in events(instance.id)]
    assert kinds.index("suspended") < kinds.index("resumed") < kinds.index("task_completed")


def test_resume_refuses_a_running_instance(db, v1, people):
    instance = start(people)
    with pytest.raises(Conflict) as refused:
        operations.resume(db.session, actor(people["admin"]), instance.id, reason="x")
    assert refused.value.code == "instance_not_suspended"


def test_edit_variables_reaches_the_next_step_and_records_old_and_new(db, v1, people):
    instance = start(people, amount=500)
    changes = operations.edit_variables(db.session, actor(people["admin"]), instance.id,
                                        values={"amount": 900, "note": "corrected"}, unset=["missing"],
                                        reason="typo in the application")
    db.session.commit()
    assert changes["amount"] == {"old": 500, "new": 900}
    [task] = open_tasks(instance.id)
    assert workflow_service.task_variables(db.session, task)["amount"] == 900
    event = events(instance.id)[-1]
    assert (event.kind, event.actor, event.details["reason"]) == ("variables_changed", "admin1",
                                                                  "typo in the application")
    assert event.details["changes"]["note"] == {"old": None, "new": "corrected"}


def test_edit_variables_refuses_unstorable_names(db, v1, people):
    instance = start(people)
    with pytest.raises(ValidationFailed) as refused:
        operations.edit_variables(db.session, actor(people["admin"]), instance.id,
                                  values={"typename": "x"}, reason="r")
    assert "values" in refused.value.fields


def test_move_token_forward_cancels_the_task_and_its_timers(db, v1, people):
    instance = start(people)
    [review] = open_tasks(instance.id)
    move = operations.move_token(db.session, actor(people["admin"]), instance.id, source="Review",
                                 target="Escalate", reason="the reviewer left")
    db.session.commit()
    assert review.id in move.cancelled_task_ids
    db.session.expire_all()
    assert db.session.get(HumanTask, review.id).status == "cancelled"
    assert [t.element_id for t in open_tasks(instance.id)] == ["Escalate"]
    assert pending_timers(instance.id) == []
    kinds = [(e.kind, e.element_id) for e in events(instance.id)]
    assert ("token_moved", "Review") in kinds and ("task_created", "Escalate") in kinds
    assert verify_chain(db.session, reload(instance.id)) == (True, None)


def test_move_token_back_restarts_the_task_with_its_timer(db, v1, people):
    instance = start(people, approved=True)
    approve(people, instance.id)  # now waiting for the payment message
    assert open_tasks(instance.id) == []
    operations.move_token(db.session, actor(people["admin"]), instance.id, source="WaitPayment", target="Review",
                          reason="payment bounced, review again")
    db.session.commit()
    assert [t.element_id for t in open_tasks(instance.id)] == ["Review"]
    assert [t.element_id for t in pending_timers(instance.id)] == ["Overdue"]
    approve(people, instance.id, approved=False)
    assert reload(instance.id).status == "completed"


@pytest.mark.parametrize(("source", "target", "field"), [
    ("Review", "StartEvent_1", "target"), ("Review", "Overdue", "target"), ("Review", "Nowhere", "target"),
    ("Decision", "Escalate", "target"),
])
def test_impossible_moves_are_refused_and_change_nothing(db, v1, people, source, target, field):
    instance = start(people)
    before = reload(instance.id)
    lock, seq = before.lock_version, before.audit_seq
    with pytest.raises(Conflict) as refused:
        operations.move_token(db.session, actor(people["admin"]), instance.id, source=source, target=target,
                              reason="try")
    db.session.rollback()
    assert field in refused.value.fields
    after = reload(instance.id)
    assert (after.lock_version, after.audit_seq) == (lock, seq)


def test_moving_a_failed_token_resolves_its_incident(db, v1, people):
    instance = start(people, approved=True)
    approve(people, instance.id)
    FAIL["record"] = True
    workflow_service.send_message(db.session, actor(people["bdc"]), instance.id, "payment_confirmed")
    db.session.commit()
    assert reload(instance.id).has_incident
    operations.move_token(db.session, actor(people["admin"]), instance.id, source="Record", target="EndDone",
                          reason="recorded by hand in the ledger")
    db.session.commit()
    instance = reload(instance.id)
    assert (instance.status, instance.has_incident) == ("completed", False)
    [incident] = db.session.scalars(all_tenants(select(Incident).where(Incident.instance_id == instance.id)))
    assert (incident.status, incident.resolved_by) == ("resolved", "admin1")


def test_retry_incident_records_the_reason(db, v1, people):
    instance = start(people, approved=True)
    approve(people, instance.id)
    FAIL["record"] = True
    workflow_service.send_message(db.session, actor(people["bdc"]), instance.id, "payment_confirmed")
    db.session.commit()
    [incident] = db.session.scalars(all_tenants(select(Incident).where(Incident.instance_id == instance.id)))
    FAIL["record"] = False
    operations.retry_incident(db.session, actor(people["admin"]), incident.id, reason="records office open again")
    db.session.commit()
    assert reload(instance.id).status == "completed"
    retried = [e for e in events(instance.id) if e.kind == "incident_retried"]
    assert retried[0].details["reason"] == "records office open again"


def test_admin_message_and_cancel_need_a_reason(db, v1, people):
    instance = start(people, approved=True)
    approve(people, instance.id)
    admin = actor(people["admin"])
    for call in (lambda: operations.send_message(db.session, admin, instance.id, name="payment_confirmed",
                                                 reason="  "),
                 lambda: operations.cancel(db.session, admin, instance.id, reason="")):
        with pytest.raises(ValidationFailed) as refused:
            call()
        assert refused.value.fields == {"reason": ["A reason is required."]}
    operations.send_message(db.session, admin, instance.id, name="payment_confirmed", reason="bank confirmed by phone")
    db.session.commit()
    message = next(e for e in events(instance.id) if e.kind == "message")
    assert (message.actor, message.details["reason"]) == ("admin1", "bank confirmed by phone")
