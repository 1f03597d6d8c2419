"""Instances end to end through the service layer: tasks, timers, messages, handlers, incidents."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.accounts.models import Organisation
from app.calendar import service as calendar_service
from app.errors import Conflict, Forbidden, NotFound
from app.security import SYSTEM, Actor, all_tenants
from app.workflow import service
from app.workflow.audit import verify_chain
from app.workflow.models import AuditEvent, HumanTask, Incident, Timer
from tests.engine import conftest as ec


def actor(user) -> Actor:
    return Actor.of(user)


def open_tasks(db, instance_id):
    return db.session.scalars(all_tenants(select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.status == "open"))).all()


def timers(db, instance_id, status="pending"):
    return db.session.scalars(all_tenants(select(Timer).where(
        Timer.instance_id == instance_id, Timer.status == status).order_by(Timer.due_at))).all()


def start_review(db, people, **variables):
    instance = service.start_instance(db.session, actor(people["unit"]), process_key="review_chain",
                                      business_key="REQ-1", variables={"amount": 500, **variables})
    db.session.commit()
    return instance


def test_start_derives_task_with_camunda_attributes_and_timers(db, review, people):
    calendar_service.seed_from_package(db.session)
    db.session.commit()
    before = clock.now()
    instance = start_review(db, people)
    assert instance.status == "running" and instance.tenant_id == "huangpu"
    [task] = open_tasks(db, instance.id)
    assert (task.element_id, task.candidate_groups, task.priority) == ("Review", ["bdc"], 70)
    assert task.documentation.startswith("M.19")
    expected_due = calendar_service.calendar(db.session).workdays(5, now=before).value
    assert abs((task.due_at - expected_due).total_seconds()) < 5
    pending = timers(db, instance.id)
    assert [t.element_id for t in pending] == ["Remind", "Overdue"]
    assert abs((pending[0].due_at - before - timedelta(hours=1)).total_seconds()) < 5
    assert abs((pending[1].due_at - before - timedelta(days=3)).total_seconds()) < 5


def test_approve_then_message_runs_handler_and_completes(db, review, people):
    instance = start_review(db, people)
    [task] = open_tasks(db, instance.id)
    service.complete_task(db.session, actor(people["bdc"]), task.id, {"approved": True})
    db.session.commit()
    assert [t.status for t in timers(db, instance.id, "cancelled")] == ["cancelled", "cancelled"]
    assert open_tasks(db, instance.id) == []
    service.send_message(db.session, actor(people["bdc"]), instance.id, "payment_confirmed", {"ref": "P-9"})
    db.session.commit()
    db.session.refresh(instance)
    assert instance.status == "completed"
    assert [("record", ec.CALLS[0][1])] == ec.CALLS and ec.CALLS[0][1]["approved"] is True
    kinds = [e.kind for e in db.session.scalars(all_tenants(select(AuditEvent).where(
        AuditEvent.instance_id == instance.id).order_by(AuditEvent.seq)))]
    assert kinds[0] == "started" and "task_completed" in kinds and "message" in kinds and kinds[-1] == "completed"
    assert verify_chain(db.session, instance) == (True, None)


def test_condition_with_camunda_operators_takes_the_no_branch(db, review, people):
    instance = start_review(db, people, amount=5000)
    [task] = open_tasks(db, instance.id)
    service.complete_task(db.session, actor(people["bdc"]), task.id, {"approved": True})
    db.session.commit()
    db.session.refresh(instance)
    assert instance.status == "completed"  # amount > 1000 → EndRejected, no message wait
    detail = service.instance_detail(db.session, SYSTEM, instance.id)
    assert "EndRejected" in detail["completed_element_ids"] and "WaitPayment" not in detail["completed_element_ids"]


def test_non_interrupting_timer_keeps_task_interrupting_one_escalates(db, review, people):
    instance = start_review(db, people)
    remind, overdue = timers(db, instance.id)
    assert service.fire_timer(db.session, remind.id, now=remind.due_at + timedelta(seconds=3))
    db.session.commit()
    assert [c[0] for c in ec.CALLS] == ["remind"]
    assert [t.element_id for t in open_tasks(db, instance.id)] == ["Review"]
    assert not service.fire_timer(db.session, remind.id)  # exactly once
    assert service.fire_timer(db.session, overdue.id, now=overdue.due_at)
    db.session.commit()
    [task] = open_tasks(db, instance.id)
    assert (task.element_id, task.candidate_groups) == ("Escalate", ["eitc"])
    review_row = db.session.scalar(all_tenants(select(HumanTask).where(HumanTask.element_id == "Review")))
    assert review_row.status == "cancelled"
    fired = db.session.scalars(all_tenants(select(AuditEvent).where(AuditEvent.kind == "timer_fired"))).all()
    assert fired[0].details["lateness_seconds"] == pytest.approx(3, abs=0.01)


def test_only_offered_users_complete_and_twice_is_409(db, review, people):
    instance = start_review(db, people)
    [task] = open_tasks(db, instance.id)
    with pytest.raises(Forbidden):
        service.complete_task(db.session, actor(people["op_hp"]), task.id, {"approved": True})
    with pytest.raises(NotFound):
        service.complete_task(db.session, actor(people["op_xh"]), task.id, {"approved": True})
    db.session.rollback()
    service.complete_task(db.session, actor(people["bdc"]), task.id, {"approved": False})
    db.session.commit()
    with pytest.raises(Conflict):
        service.complete_task(db.session, actor(people["bdc"]), task.id, {"approved": False})


def test_failing_handler_leaves_no_writes_raises_incident_and_retry_completes(db, review, people):
    instance = start_review(db, people)
    [task] = open_tasks(db, instance.id)
    service.complete_task(db.session, actor(people["bdc"]), task.id, {"approved": True})
    db.session.commit()
    ec.FAIL["record"] = True
    service.send_message(db.session, actor(people["bdc"]), instance.id, "payment_confirmed")
    db.session.commit()
    db.session.refresh(instance)
    assert instance.status == "running" and instance.has_incident
    [incident] = db.session.scalars(all_tenants(select(Incident))).all()
    assert (incident.element_id, incident.error_type) == ("Record", "RuntimeError")
    assert "records office" in incident.message
    assert db.session.scalar(select(Organisation).where(Organisation.code.like("recorded-%"))) is None
    with pytest.raises(Forbidden):
        service.retry_incident(db.session, actor(people["bdc"]), incident.id)
    ec.FAIL["record"] = False
    service.retry_incident(db.session, actor(people["admin"]), incident.id)
    db.session.commit()
    db.session.refresh(instance)
    db.session.refresh(incident)
    assert instance.status == "completed" and not instance.has_incident
    assert incident.status == "resolved" and incident.resolved_by == "admin1"
    assert db.session.scalar(select(Organisation).where(Organisation.code.like("recorded-%"))) is not None


def test_message_nobody_waits_for_is_409(db, review, people):
    instance = start_review(db, people)
    with pytest.raises(Conflict):
        service.send_message(db.session, actor(people["bdc"]), instance.id, "payment_confirmed")


def test_cancel_is_for_admins_and_closes_derived_rows(db, review, people):
    instance = start_review(db, people)
    with pytest.raises(Forbidden):
        service.cancel_instance(db.session, actor(people["bdc"]), instance.id, "no")
    service.cancel_instance(db.session, actor(people["admin"]), instance.id, "duplicate request")
    db.session.commit()
    db.session.refresh(instance)
    assert instance.status == "cancelled"
    assert open_tasks(db, instance.id) == [] and timers(db, instance.id) == []
    with pytest.raises(Conflict):
        service.cancel_instance(db.session, actor(people["admin"]), instance.id)


def test_running_instance_keeps_its_version(db, review, people):
    instance = start_review(db, people)
    xml = (ec.HERE / "review_chain.bpmn").read_text().replace('name="Review the request"', 'name="Review v2"')
    from app.workflow import deployment

    again = deployment.deploy(db.session, SYSTEM, (ec.HERE / "review_chain.bpmn").read_bytes(), "review_chain.bpmn")
    assert not again.created and again.definition.version == 1
    v2 = deployment.deploy(db.session, SYSTEM, xml.encode(), "review_chain.bpmn")
    db.session.commit()
    assert v2.created and v2.definition.version == 2
    [task] = open_tasks(db, instance.id)
    assert task.name == "Review the request"
    service.complete_task(db.session, actor(people["bdc"]), task.id, {"approved": False})
    db.session.commit()
    newer = start_review(db, people)
    assert open_tasks(db, newer.id)[0].name == "Review v2"
    db.session.refresh(instance)
    assert (instance.definition.version, instance.status) == (1, "completed")
    assert newer.definition.version == 2


def test_completion_audits_before_and_after_of_changed_variables(db, review, people):
    instance = start_review(db, people)
    [task] = open_tasks(db, instance.id)
    service.complete_task(db.session, actor(people["bdc"]), task.id, {"approved": True, "amount": 500})
    db.session.commit()
    event = db.session.scalar(all_tenants(select(AuditEvent).where(AuditEvent.instance_id == instance.id,
                                                                   AuditEvent.kind == "task_completed")))
    # amount was already 500: unchanged values are not reported as changes
    assert event.details["changes"] == {"approved": [None, True]}


def test_tampered_audit_row_is_detected(db, review, people):
    instance = start_review(db, people)
    event = db.session.scalar(all_tenants(select(AuditEvent).where(AuditEvent.instance_id == instance.id,
                                                                   AuditEvent.seq == 1)))
    event.details = {**event.details, "business_key": "FORGED"}
    db.session.commit()
    assert verify_chain(db.session, instance) == (False, 1)
