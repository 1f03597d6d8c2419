"""BPMN timers fired by the scheduler through the real engine; time moved by the app's clock.

SpiffWorkflow fixes due times on the wall clock when a timer starts waiting, so these tests
freeze the app's clock at the real "now" and move it from there; the scheduler decides what
is due by the app's clock and fires through ``workflow.service.fire_timer``.
"""
from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.calendar import service as calendar_service
from app.security import SYSTEM, all_tenants
from app.workflow import service as workflow_service
from app.workflow.models import AuditEvent, HumanTask, ProcessInstance, Timer
from scheduler import timers
from scheduler.runner import Runner
from tests.scheduler.conftest import deploy


@pytest.fixture()
def now_clock():
    """The app's clock frozen at the real current time."""
    source = clock.FrozenClock(datetime.now(UTC))
    clock.set_source(source)
    yield source
    clock.set_source(None)


def start(session, key: str, **variables) -> ProcessInstance:
    instance = workflow_service.start_instance(session, SYSTEM, process_key=key, tenant_id="huangpu",
                                               variables=variables)
    session.commit()
    return instance


def timers_of(session, instance_id: int) -> list[Timer]:
    session.expire_all()
    return list(session.scalars(all_tenants(select(Timer).where(Timer.instance_id == instance_id)
                                            .order_by(Timer.id))))


def open_tasks(session, instance_id: int) -> list[str]:
    return sorted(session.scalars(all_tenants(select(HumanTask.element_id).where(
        HumanTask.instance_id == instance_id, HumanTask.status == "open"))))


def audit(session, instance_id: int, kind: str) -> list[AuditEvent]:
    return list(session.scalars(all_tenants(select(AuditEvent).where(
        AuditEvent.instance_id == instance_id, AuditEvent.kind == kind).order_by(AuditEvent.seq))))


def wait_until(condition, seconds: float = 10.0) -> bool:
    """For tests with a live runner: its threads work on their own; look until done."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_boundary_timer_fires_through_the_scheduler(app, db, now_clock):
    deploy(db.session, "sched_boundary.bpmn")
    db.session.commit()
    instance = start(db.session, "sched_boundary")
    [timer] = timers_of(db.session, instance.id)
    assert (timer.element_id, timer.status) == ("Deadline", "pending")
    assert open_tasks(db.session, instance.id) == ["Review"]

    now_clock.advance(minutes=59)
    assert timers.drain(app).fired == 0  # not yet due

    now_clock.advance(minutes=2)
    result = timers.drain(app)

    assert (result.fired, result.failed) == (1, 0)
    [timer] = timers_of(db.session, instance.id)
    assert timer.status == "fired" and timer.fired_at == clock.now()
    assert open_tasks(db.session, instance.id) == ["Escalate"]  # the review was interrupted
    [event] = audit(db.session, instance.id, "timer_fired")
    assert event.element_id == "Deadline" and event.actor == "system"
    assert event.details["lateness_seconds"] == pytest.approx(60, abs=1)
    assert timers.drain(app).fired == 0  # fired once


def test_a_timer_cancelled_by_the_user_step_is_not_fired(app, db, now_clock):
    deploy(db.session, "sched_boundary.bpmn")
    db.session.commit()
    instance = start(db.session, "sched_boundary")
    [task_id] = db.session.scalars(all_tenants(select(HumanTask.id).where(HumanTask.instance_id == instance.id)))
    workflow_service.complete_task(db.session, SYSTEM, task_id, {}, authorize=lambda row: None)
    db.session.commit()

    now_clock.advance(hours=2)
    assert timers.drain(app).fired == 0
    assert [t.status for t in timers_of(db.session, instance.id)] == ["cancelled"]


def test_a_cycle_timer_fires_once_per_occurrence_and_stops_after_its_repetitions(app, db, now_clock):
    deploy(db.session, "sched_cycle.bpmn")
    db.session.commit()
    instance = start(db.session, "sched_cycle")
    [timer] = timers_of(db.session, instance.id)
    first_due = timer.due_at

    reminders = []
    for _occurrence in range(3):
        now_clock.current = max(now_clock.current, timers_of(db.session, instance.id)[0].due_at) + timedelta(seconds=1)
        result = timers.drain(app)
        assert result.fired == 1, "a cycle timer fires at most once per sweep"
        reminders.append(len(open_tasks(db.session, instance.id)) - 1)
    assert reminders == [1, 2, 3]
    assert timers_of(db.session, instance.id)[0].due_at != first_due  # moved on to each next occurrence
    now_clock.advance(hours=5)
    timers.drain(app)
    assert open_tasks(db.session, instance.id).count("Remind") == 3  # R3: never a fourth
    assert len(audit(db.session, instance.id, "timer_fired")) == 3


def test_a_timer_in_working_days_skips_the_holidays(app, db):
    # National Day 2030 entered by hand (the package does not know 2030 yet) and published.
    for day in range(1, 8):
        calendar_service.set_day(db.session, date(2030, 10, day), False, "国庆节", "test")
    calendar_service.publish_year(db.session, 2030, "test")
    deploy(db.session, "sched_workdays.bpmn")
    db.session.commit()
    source = clock.FrozenClock(datetime(2030, 9, 30, 1, 0, tzinfo=UTC))  # Monday 09:00 in Shanghai
    clock.set_source(source)
    try:
        instance = start(db.session, "sched_workdays")
        [timer] = timers_of(db.session, instance.id)
        # Two working days after Monday 30 September: Tuesday 8 and Wednesday 9 October, 09:00.
        assert timer.due_at == datetime(2030, 10, 9, 1, 0, tzinfo=UTC)
        assert timer.due_provisional is False

        source.current = timer.due_at - timedelta(seconds=1)
        assert timers.drain(app).fired == 0
        source.current = timer.due_at
        assert timers.drain(app).fired == 1
        db.session.expire_all()
        assert db.session.scalar(all_tenants(select(ProcessInstance.status).where(
            ProcessInstance.id == instance.id))) == "completed"
    finally:
        clock.set_source(None)


def test_timers_due_while_the_scheduler_was_stopped_fire_at_start_oldest_first(app, db, now_clock, caplog):
    deploy(db.session, "sched_wait.bpmn")
    db.session.commit()
    base = clock.now()
    dues = [base + timedelta(hours=h) for h in (3, 1, 2)]
    instances = [start(db.session, "sched_wait", due=due.isoformat()) for due in dues]
    now_clock.advance(hours=5)  # the scheduler was down while all three fell due

    runner = Runner(app, poll_seconds=600, periodic_jobs=False)
    runner.start()
    try:
        assert wait_until(lambda: all(t.status == "fired" for i in instances for t in timers_of(db.session, i.id)))
    finally:
        runner.shutdown()

    assert "3 timers fell due while nothing was running" in caplog.text
    events = sorted((event for i in instances for event in audit(db.session, i.id, "timer_fired")),
                    key=lambda event: event.id)
    assert [event.instance_id for event in events] == [instances[1].id, instances[2].id, instances[0].id]
    assert [round(event.details["lateness_seconds"] / 3600) for event in events] == [4, 3, 2]


def test_a_timer_due_soon_fires_near_its_due_time_not_at_the_next_poll(app, db):
    deploy(db.session, "sched_wait.bpmn")
    db.session.commit()
    runner = Runner(app, poll_seconds=600, periodic_jobs=False)
    runner.start()
    try:
        assert wait_until(lambda: not runner._sweeping.locked())  # the start-up sweep is over
        due = datetime.now(UTC) + timedelta(seconds=0.5)
        instance = start(db.session, "sched_wait", due=due.isoformat())  # the engine tells the runner
        assert wait_until(lambda: timers_of(db.session, instance.id)[0].status == "fired", seconds=20)
    finally:
        runner.shutdown()
    [timer] = timers_of(db.session, instance.id)
    # Well before the next poll (10 min); typically within 0.1 s, more on a loaded machine.
    assert 0 <= (timer.fired_at - timer.due_at).total_seconds() < 5
