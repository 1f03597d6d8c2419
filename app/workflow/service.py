"""Process instances: the one way in for every state change (API, pages and scheduler alike).

Every step is one transaction: lock the instance row, load the cached spec and the stored
state, run the engine, then write the state, the derived rows (human tasks, timers,
incidents) and the audit events together. The edge commits; a failure anywhere before the
commit leaves the instance as it was.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, defer
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.errors import Conflict, Forbidden, NotFound
from app.security import Actor, all_tenants, get_visible, require_role, require_tenant, scoped
from app.workflow import steps
from app.workflow.engine import Engine
from app.workflow.models import HumanTask, Incident, ProcessDefinition, ProcessInstance, Timer

ADMIN = "admin"
MESSAGE_ROLES = ("admin", "bdc", "eitc", "authority")


def get_engine() -> Engine:
    return current_app.extensions["yunguan.engine"]


# -- starting ---------------------------------------------------------------------------------
def latest_definition(session: Session, key: str) -> ProcessDefinition:
    # The XML and forms are read only when the spec cache misses (steps.cached_spec).
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key)
                                .options(defer(ProcessDefinition.xml), defer(ProcessDefinition.forms))
                                .order_by(ProcessDefinition.version.desc()).limit(1))
    if definition is None:
        raise NotFound(_("No process %(key)s is deployed.", key=key), fields={"process_key": ["unknown"]})
    return definition


def start_instance(session: Session, actor: Actor, *, process_key: str, business_key: str | None = None,
                   variables: dict[str, Any] | None = None, tenant_id: str | None = None) -> ProcessInstance:
    """Start the latest version of ``process_key`` in the actor's tenant (city roles may name one)."""
    tenant_id = tenant_id or actor.tenant_id
    require_tenant(actor, tenant_id)
    definition = latest_definition(session, process_key)
    starters = steps.starter_groups(definition)
    if starters and not actor.has_any(starters):
        raise Forbidden(_("Only %(groups)s may start this process.", groups=", ".join(sorted(starters))))
    variables = steps.clean_variables(variables or {}, field="variables")
    return steps.start(session, get_engine(), actor, definition, tenant_id=tenant_id,
                       business_key=business_key, variables=variables)


# -- acting on running instances ----------------------------------------------------------------
def get_instance(session: Session, actor: Actor, instance_id: int) -> ProcessInstance:
    return get_visible(session, actor, ProcessInstance, instance_id)


def complete_task(session: Session, actor: Actor, task_id: str, data: dict[str, Any], *,
                  on_behalf_of: str | None = None, authorize: Callable[[HumanTask], None] | None = None
                  ) -> HumanTask:
    """Complete an open user task with (already form-validated) data. 409 if it is done already."""
    # One statement: the task as the actor may see it (404 otherwise) and its instance, locked.
    row, instance = steps.lock_task(session, actor, task_id)
    (authorize or _default_authorize(actor))(row)
    data = steps.clean_variables(data, field="data")
    with steps.step(session, get_engine(), actor, instance, on_behalf_of=on_behalf_of) as run:
        live = run.engine.find_ready_user_task(run.workflow, task_id) if row.status == "open" else None
        if live is None:
            # Under the lock the instance state is the truth; the task row read with it may predate
            # a completion committed while this step waited for the lock: re-read it to say which.
            status = session.scalar(all_tenants(select(HumanTask.status).where(HumanTask.id == task_id)))
            if status != "open":
                raise Conflict(_("This task has already been completed."), code="task_completed")
            raise Conflict(_("This task is no longer waiting for input."), code="task_not_ready")
        # Audit before/after of every variable the completion changes (issue 3: data changes).
        changes = {key: [live.data.get(key), value] for key, value in data.items() if live.data.get(key) != value}
        task = run.engine.complete_user_task(run.workflow, task_id, data)
        run.completed_task(task_id, data)
        run.audit.add("task_completed", task.task_spec.bpmn_id, task=task_id, data=data, changes=changes)
    if row.status == "open":  # the step closed the row through Core; the returned object says so
        set_committed_value(row, "status", "completed")
        set_committed_value(row, "completed_at", run.now)
        set_committed_value(row, "completed_by", actor.username)
    return row


def _default_authorize(actor: Actor) -> Callable[[HumanTask], None]:
    from app.workflow.access import can_work_on

    def check(row: HumanTask) -> None:
        if not can_work_on(actor, row):
            raise Forbidden(_("This task is not offered to you."))

    return check


def send_message(session: Session, actor: Actor, instance_id: int, name: str,
                 variables: dict[str, Any] | None = None, *, reason: str = "") -> ProcessInstance:
    instance = get_visible(session, actor, ProcessInstance, instance_id)
    if not actor.has_any(MESSAGE_ROLES) and instance.started_by != actor.username:
        raise Forbidden(_("Only the starter, city roles or admins may send messages to this instance."))
    payload = steps.clean_variables(variables or {}, field="variables")
    with steps.step(session, get_engine(), actor, instance_id) as run:
        if not run.engine.send_message(run.workflow, name, payload):
            raise Conflict(_("The instance is not waiting for the message %(name)s.", name=name),
                           code="message_not_expected", fields={"name": ["not awaited"]})
        run.audit.add("message", None, name=name, variables=payload, **({"reason": reason} if reason else {}))
    return run.instance


def cancel_instance(session: Session, actor: Actor, instance_id: int, reason: str = "") -> ProcessInstance:
    require_role(actor, ADMIN)
    instance = get_visible(session, actor, ProcessInstance, instance_id)
    if instance.status in {"completed", "cancelled"}:
        raise Conflict(_("The instance has already ended."), code="instance_ended")
    with steps.step(session, get_engine(), actor, instance_id, allow_suspended=True) as run:
        run.workflow.cancel()
        run.cancelled = True
        run.audit.add("cancelled", None, reason=reason)
    return run.instance


def fire_timer(session: Session, timer_id: int, *, now: datetime | None = None) -> bool:
    """Fire one due timer through the engine (scheduler only). False if it is no longer pending."""
    timer = session.scalar(all_tenants(select(Timer).where(Timer.id == timer_id)))
    if timer is None or timer.status != "pending":
        return False
    return fire_claimed(session, timer, timer.instance_id, now=now)


def fire_claimed(session: Session, timer: Timer, instance: ProcessInstance | int, *,
                 now: datetime | None = None) -> bool:
    """Fire a pending timer row the caller has read under lock together with its instance (the
    scheduler's claim): no second read of either. ``instance`` may be an id, then it is locked here."""
    from app.security import SYSTEM

    now = now or clock.now()
    with steps.step(session, get_engine(), SYSTEM, instance, now=now) as run:
        if not run.engine.fire_timer(run.workflow, timer.task_id):
            timer.status = "cancelled"
            return False
        run.fired_timer(timer.task_id)
        lateness = max(0.0, (now - timer.due_at).total_seconds())
        run.audit.add("timer_fired", timer.element_id, due_at=timer.due_at.isoformat(),
                      lateness_seconds=round(lateness, 3))
    return True


def retry_incident(session: Session, actor: Actor, incident_id: int, *, reason: str = "") -> Incident:
    require_role(actor, ADMIN)
    incident = get_visible(session, actor, Incident, incident_id)
    if incident.status != "open":
        raise Conflict(_("This incident is already resolved."), code="incident_resolved")
    with steps.step(session, get_engine(), actor, incident.instance_id, retrying=incident) as run:
        if incident.task_id and not run.engine.retry(run.workflow, incident.task_id):
            raise Conflict(_("The failed step is no longer waiting to be retried."), code="nothing_to_retry")
        run.audit.add("incident_retried", incident.element_id, incident=incident.id,
                      **({"reason": reason} if reason else {}))
    return incident


def task_variables(session: Session, task: HumanTask) -> dict[str, Any]:
    """The data an open task sees in the engine, as plain JSON (one deserialization)."""
    engine = get_engine()
    instance = session.scalar(all_tenants(select(ProcessInstance).where(ProcessInstance.id == task.instance_id)))
    workflow = engine.load(steps.cached_spec(session, engine, instance.definition_id), instance.state,
                           instance.serializer_version)
    live = engine.find_ready_user_task(workflow, task.id)
    return engine.serializer.data_to_json(dict(live.data) if live is not None else {})


# -- reading ------------------------------------------------------------------------------------
@dataclass
class InstancePage:
    items: list[ProcessInstance]
    total: int
    page: int
    per_page: int


def list_instances(session: Session, actor: Actor, *, process_key: str | None = None, status: str | None = None,
                   business_key: str | None = None, page: int = 1, per_page: int = 20) -> InstancePage:
    stmt = scoped(actor, ProcessInstance)
    if process_key:
        stmt = stmt.where(ProcessInstance.process_key == process_key)
    if status:
        stmt = stmt.where(ProcessInstance.status == status)
    if business_key:
        stmt = stmt.where(ProcessInstance.business_key == business_key)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = session.scalars(stmt.order_by(ProcessInstance.id.desc()).offset((page - 1) * per_page)
                            .limit(per_page)).all()
    return InstancePage(list(items), total or 0, page, per_page)


def instance_detail(session: Session, actor: Actor, instance_id: int) -> dict[str, Any]:
    instance = get_instance(session, actor, instance_id)
    return steps.describe(session, get_engine(), instance)


def history(session: Session, actor: Actor, instance_id: int) -> list:
    from app.workflow.models import AuditEvent

    instance = get_instance(session, actor, instance_id)
    return list(session.scalars(scoped(actor, AuditEvent, AuditEvent.instance_id == instance.id)
                                .order_by(AuditEvent.seq)))


def list_incidents(session: Session, actor: Actor, *, status: str | None = "open") -> list[Incident]:
    require_role(actor, ADMIN)
    stmt = scoped(actor, Incident)
    if status:
        stmt = stmt.where(Incident.status == status)
    return list(session.scalars(stmt.order_by(Incident.created_at.desc()).limit(500)))


def definitions_overview(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Every deployed version with the number of its running instances the actor can see."""
    counts_stmt = scoped(actor, ProcessInstance).with_only_columns(
        ProcessInstance.definition_id, func.count()).where(ProcessInstance.status == "running").group_by(
        ProcessInstance.definition_id)
    counts = dict(session.execute(counts_stmt).all())
    rows = session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key,
                                                              ProcessDefinition.version.desc()))
    return [{"key": d.key, "name": d.name, "version": d.version, "filename": d.filename,
             "deployed_at": d.deployed_at, "deployed_by": d.deployed_by,
             "running_instances": counts.get(d.id, 0)} for d in rows]


def record_task_event(session: Session, actor: Actor, task: HumanTask, kind: str, **details: Any) -> None:
    """Add a change the engine does not make itself (a claim, a release) to the instance's audit
    chain. The instance row lock (PostgreSQL) or the version guard (SQLite) orders it with the steps
    of that instance, so the chain stays whole."""
    from app.workflow.audit import AUDIT_INSERT, AuditLog

    instance = steps._lock(session, task.instance_id)
    log = AuditLog(instance, actor, clock.now())
    log.add(kind, task.element_id, task=task.id, **details)
    rows = log.take_rows()  # moves the instance's chain head (as committed values)
    session.execute(AUDIT_INSERT, rows)
    saved = session.execute(all_tenants(
        update(ProcessInstance).where(ProcessInstance.id == instance.id,
                                      ProcessInstance.lock_version == instance.lock_version)
        .values(audit_seq=instance.audit_seq, audit_hash=instance.audit_hash,
                lock_version=instance.lock_version + 1).execution_options(synchronize_session=False)))
    if saved.rowcount != 1:
        raise Conflict(_("The instance was changed by someone else; try again."), code="instance_changed")
    set_committed_value(instance, "lock_version", instance.lock_version + 1)
