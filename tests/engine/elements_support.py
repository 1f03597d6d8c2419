"""Shared by test_elements*.py: handlers the element diagrams name, and steps through the service layer.

Each helper commits, as the API does after a step; reads re-read the derived rows from the database.
"""
from __future__ import annotations

from sqlalchemy import select

from app.security import SYSTEM, Actor, all_tenants
from app.workflow import handlers, service
from app.workflow.models import HumanTask, Incident, ProcessInstance, Timer
from tests.engine import conftest as ec

CALLS = ec.CALLS  # cleared before every test by conftest


@handlers.handler("test.elements.book")
def _book(ctx):
    CALLS.append(("book", dict(ctx.data)))
    return {"booking": f"B-{ctx.instance_id}"}


@handlers.handler("test.elements.nudge")
def _nudge(ctx):
    CALLS.append(("nudge", dict(ctx.data)))
    return {"nudges": ctx.data.get("nudges", 0) + 1}


@handlers.handler("test.elements.allocate")
def _allocate(ctx):
    from app.accounts.models import Organisation

    # A write that must vanish when the handler then raises a BPMN error.
    ctx.session.add(Organisation(code=f"alloc-{ctx.instance_id}", name="x", kind="vendor", tenant_id="city"))
    ctx.session.flush()
    if ctx.data["available"] < ctx.data["wanted"]:
        raise handlers.BpmnError(ctx.data.get("code", "no_quota"), "not enough quota",
                                 variables={"shortfall": ctx.data["wanted"] - ctx.data["available"]})
    CALLS.append(("allocate", dict(ctx.data)))
    return {"allocated": ctx.data["wanted"]}




# -- helpers ------------------------------------------------------------------------------------

def deploy(name: str):
    return ec.deploy_file(f"elements/{name}")


def start(db, people, key: str, **variables) -> ProcessInstance:
    instance = service.start_instance(db.session, Actor.of(people["unit"]), process_key=key,
                                      business_key=f"{key}-1", variables=variables)
    db.session.commit()
    return instance


def rows(db, stmt) -> list:
    # Steps write derived rows through Core and the session does not expire on commit: re-read.
    return db.session.scalars(all_tenants(stmt).execution_options(populate_existing=True)).all()


def tasks(db, instance_id: int, status: str = "open") -> list[HumanTask]:
    return rows(db, select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == status)
                .order_by(HumanTask.created_at, HumanTask.element_id))


def open_ids(db, instance_id: int) -> list[str]:
    return sorted(t.element_id for t in tasks(db, instance_id))


def timers(db, instance_id: int, status: str = "pending") -> list[Timer]:
    return rows(db, select(Timer).where(Timer.instance_id == instance_id, Timer.status == status)
                .order_by(Timer.due_at))


def incidents(db, instance_id: int) -> list[Incident]:
    return rows(db, select(Incident).where(Incident.instance_id == instance_id).order_by(Incident.id))


def status(db, instance: ProcessInstance) -> str:
    db.session.refresh(instance)
    return instance.status


def detail(db, instance: ProcessInstance) -> dict:
    return service.instance_detail(db.session, SYSTEM, instance.id)


def complete(db, people, row: HumanTask, who: str = "bdc", **data) -> None:
    service.complete_task(db.session, Actor.of(people[who]), row.id, data)
    db.session.commit()


def complete_one(db, people, instance: ProcessInstance, element_id: str, who: str = "bdc", **data) -> None:
    [row] = [t for t in tasks(db, instance.id) if t.element_id == element_id]
    complete(db, people, row, who, **data)


def send(db, people, instance: ProcessInstance, name: str, **variables) -> None:
    service.send_message(db.session, Actor.of(people["bdc"]), instance.id, name, variables)
    db.session.commit()


def fire(db, timer: Timer) -> None:
    assert service.fire_timer(db.session, timer.id, now=timer.due_at)
    db.session.commit()
