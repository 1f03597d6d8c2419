"""Inbox test helpers: a frozen clock, people, the test diagram, task rows without the engine."""
from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db as _db
from app.security import SYSTEM, Actor, all_tenants
from app.workflow import deployment
from app.workflow import service as workflow_service
from app.workflow.access import candidate_rows
from app.workflow.models import HumanTask, ProcessDefinition, ProcessInstance, TaskCandidate
from tests import builders

HERE = Path(__file__).parent
_seq = itertools.count(1)


@pytest.fixture()
def frozen():
    """The app clock frozen on a Wednesday morning in Shanghai (2025-11-19 09:00 +08:00)."""
    with builders.frozen_at(datetime(2025, 11, 19, 1, 0, tzinfo=UTC)) as source:
        yield source


@pytest.fixture()
def people(db):
    return {
        "op_hp": builders.user("op.hp", roles="district.operator", tenant="huangpu"),
        "op_hp2": builders.user("op.hp2", roles="district.operator", tenant="huangpu"),
        "op_xh": builders.user("op.xh", roles="district.operator", tenant="xuhui"),
        "fin_hp": builders.user("fin.hp", roles="district.finance", tenant="huangpu"),
        "bdc": builders.user("bdc1", roles="bdc"),
        "admin": builders.user("admin1", roles="admin"),
        "unit": builders.user("unit.hp", roles="unit", tenant="huangpu"),
    }


def actor(user) -> Actor:
    return Actor.of(user)


def deploy_file(name: str = "district_approval.bpmn"):
    result = deployment.deploy(_db.session, SYSTEM, (HERE / name).read_bytes(), name)
    _db.session.commit()
    return result.definition


GOOD = {"decision": "approve", "quantity": 8, "comment": "同意开通"}


@pytest.fixture()
def approval(db):
    """The test diagram deployed: Approve (form example-approval, district.operator, 3 working days) → Confirm."""
    return deploy_file()


def start(db, people, business_key: str = "REQ-1", **variables):
    instance = workflow_service.start_instance(db.session, actor(people["unit"]), process_key="district_approval",
                                               business_key=business_key, variables={"vcpu": 8, **variables})
    db.session.commit()
    return instance


def open_task(db, instance_id: int, element_id: str = "Approve") -> HumanTask:
    return db.session.scalar(all_tenants(select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.status == "open", HumanTask.element_id == element_id)))


def _definition() -> ProcessDefinition:
    found = _db.session.query(ProcessDefinition).filter_by(key="synthetic").one_or_none()
    if found is None:
        found = ProcessDefinition(key="synthetic", version=1, name="Synthetic", filename="synthetic.bpmn",
                                  digest=uuid.uuid4().hex, xml="<x/>", forms={}, starter_groups=[],
                                  deployed_by="system")
        _db.session.add(found)
        _db.session.flush()
    return found


def make_task(*, tenant: str = "huangpu", groups: tuple[str, ...] = ("district.operator",), assignee: str | None = None,
              due_at: datetime | None = None, status: str = "open", name: str = "Review", element_id: str = "Review",
              process_key: str = "synthetic", business_key: str | None = None, created_at: datetime | None = None,
              completed_by: str | None = None, candidate_users: tuple[str, ...] = ()) -> HumanTask:
    """A task row as the engine derives it, without running the engine (for list and access tests)."""
    definition = _definition()
    now = clock.now()
    instance = ProcessInstance(definition_id=definition.id, process_key=process_key, business_key=business_key,
                               tenant_id=tenant, state="{}", serializer_version="test", started_by="unit.hp",
                               started_at=now, updated_at=now)
    _db.session.add(instance)
    _db.session.flush()
    task = HumanTask(id=str(uuid.uuid4()), instance_id=instance.id, tenant_id=tenant, process_key=process_key,
                     business_key=business_key or f"BK-{next(_seq)}", element_id=element_id, name=name,
                     candidate_groups=list(groups), candidate_users=list(candidate_users), assignee=assignee,
                     status=status, created_at=created_at or now, due_at=due_at, completed_by=completed_by,
                     completed_at=now if status != "open" else None)
    _db.session.add(task)
    _db.session.add_all([TaskCandidate(**{**row, "is_open": status == "open"})
                         for row in candidate_rows(task.id, tenant, due_at, groups, candidate_users)])
    _db.session.commit()
    return task
