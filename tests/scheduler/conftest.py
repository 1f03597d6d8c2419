"""Scheduler fixtures: a controlled clock, timer rows without the engine, a stand-in for firing.

The scheduler is off in tests (SCHEDULER_ENABLED false); tests call its functions directly
with a frozen clock, and the few that need a live APScheduler start one themselves.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import select

from app import clock
from app.jobs import models as jobs_models  # noqa: F401 - job_run in the metadata the fixtures create
from app.security import SYSTEM, all_tenants
from app.workflow.models import ProcessDefinition, ProcessInstance, Timer
from tests import builders

DIAGRAMS = Path(__file__).parent / "diagrams"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
_seq = count(1)


@pytest.fixture(autouse=True)
def _forget_caches():
    """Truncation empties tables behind the back of two process-wide caches: the engine's
    diagrams by definition id (ids restart, so definition 1 of one test is not that of the
    next) and the working-day calendar (cached for ten seconds). Forget both between tests."""
    from app.calendar import service as calendar_service
    from app.workflow import steps

    calendar_service.invalidate()
    yield
    steps._definitions.clear()
    calendar_service.invalidate()


@pytest.fixture()
def frozen():
    """The app's clock, frozen at T0; move it with ``frozen.advance(hours=…)``."""
    with builders.frozen_at(T0) as source:
        yield source


# -- rows without the engine: for testing the claim loop on its own ------------------------------
def fake_definition(session, key: str = "fake") -> ProcessDefinition:
    found = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key))
    if found is not None:
        return found
    definition = ProcessDefinition(key=key, version=1, name=key, filename=f"{key}.bpmn",
                                   digest=hashlib.sha256(key.encode()).hexdigest(), xml="<x/>", forms={},
                                   starter_groups=[], deployed_by="test")
    session.add(definition)
    session.flush()
    return definition


def fake_instance(session, *, tenant: str = "huangpu", status: str = "running") -> ProcessInstance:
    definition = fake_definition(session)
    instance = ProcessInstance(definition_id=definition.id, process_key=definition.key, tenant_id=tenant,
                               state="{}", serializer_version="test", started_by="test", status=status)
    session.add(instance)
    session.flush()
    return instance


def fake_timer(session, *, due_at: datetime, instance: ProcessInstance | None = None, tenant: str = "huangpu",
               element_id: str = "Timer", status: str = "pending", attempts: int = 0) -> Timer:
    instance = instance or fake_instance(session, tenant=tenant)
    timer = Timer(instance_id=instance.id, tenant_id=instance.tenant_id, task_id=f"task-{next(_seq)}",
                  element_id=element_id, due_at=due_at, status=status, attempts=attempts)
    session.add(timer)
    session.flush()
    return timer


@dataclass
class FakeFire:
    """Stands in for ``workflow.service.fire_timer``: marks the row fired, remembers the order."""

    fired: list[int] = field(default_factory=list)
    fail: dict[int, Exception] = field(default_factory=dict)
    abort_after: int | None = None  # raise KeyboardInterrupt (a crash) after this many fires

    def __call__(self, session, timer_id: int, *, now: datetime | None = None) -> bool:
        if timer_id in self.fail:
            timer = session.scalar(all_tenants(select(Timer).where(Timer.id == timer_id)))
            timer.status = "fired"  # a half-done step: must be rolled back with its savepoint
            session.flush()
            raise self.fail[timer_id]
        if self.abort_after is not None and len(self.fired) >= self.abort_after:
            raise KeyboardInterrupt("simulated crash mid-batch")
        timer = session.scalar(all_tenants(select(Timer).where(Timer.id == timer_id)))
        if timer is None or timer.status != "pending":
            return False
        timer.status, timer.fired_at = "fired", now or clock.now()
        session.flush()
        self.fired.append(timer_id)
        return True


@pytest.fixture()
def fake_fire(monkeypatch) -> FakeFire:
    from scheduler import timers

    fake = FakeFire()
    monkeypatch.setattr(timers.workflow_service, "fire_timer", fake)
    # The scheduler fires what it claimed through fire_claimed: whatever stands in for fire_timer
    # (this fake, or a test's own wrapper of it) answers.
    monkeypatch.setattr(timers.workflow_service, "fire_claimed", lambda session, timer, _instance, *, now=None:
                        timers.workflow_service.fire_timer(session, timer.id, now=now))
    return fake


def timer_rows(session) -> dict[int, Timer]:
    session.expire_all()
    return {t.id: t for t in session.scalars(all_tenants(select(Timer)))}


# -- the real engine --------------------------------------------------------------------------
def deploy(session, name: str):
    from app.workflow import deployment

    return deployment.deploy(session, SYSTEM, (DIAGRAMS / name).read_bytes(), name).definition


def later(**delta: float) -> datetime:
    return clock.now() + timedelta(**delta)


def clone_waiting_instances(session, instance_id: int, count_: int) -> list[int]:
    """``count_`` copies of a waiting instance and its pending timers, made in two statements.

    Starting a thousand instances through the engine would take most of the test's time; the
    copies carry the same engine state, so each fires through the engine like the original.
    (Their audit chains start mid-way: not for tests of the audit trail.) PostgreSQL only.
    """
    from sqlalchemy import text

    ids = session.execute(text("""
        INSERT INTO process_instance (definition_id, process_key, business_key, status, state,
            serializer_version, lock_version, started_by, started_at, updated_at, has_incident, audit_seq,
            audit_hash, tenant_id)
        SELECT definition_id, process_key, 'copy-' || g, status, state, serializer_version, lock_version,
            started_by, started_at, updated_at, has_incident, audit_seq, audit_hash, tenant_id
        FROM process_instance, generate_series(1, :n) AS g WHERE id = :id
        RETURNING id"""), {"n": count_, "id": instance_id}).scalars().all()
    session.execute(text("""
        INSERT INTO workflow_timer (instance_id, tenant_id, task_id, element_id, due_at, due_provisional,
            status, created_at, attempts)
        SELECT p.id, t.tenant_id, t.task_id, t.element_id, t.due_at, t.due_provisional, t.status,
            t.created_at, 0
        FROM workflow_timer t JOIN process_instance p ON p.id = ANY(:ids)
        WHERE t.instance_id = :id AND t.status = 'pending'"""), {"ids": list(ids), "id": instance_id})
    return list(ids)
