"""One engine step as one transaction: lock, load, run, write state + derived rows + audit.

``service`` decides *what* happens (complete a task, deliver a message …); this module makes
every such step look the same to the database: a handful of statements, derived rows
written in bulk, nothing reloaded that was just written (ENGINE-NOTES, "closest peer").
"""
from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, insert, inspect, literal_column, null, select, union_all, update
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.errors import Conflict, NotFound, ValidationFailed
from app.security import Actor, all_tenants, scoped
from app.workflow import handlers
from app.workflow.access import candidate_rows
from app.workflow.audit import AUDIT_INSERT, AuditLog
from app.workflow.callees import pinned
from app.workflow.engine import CachedSpec, Engine, Snapshot, StepError
from app.workflow.models import (
    AuditEvent,
    HumanTask,
    Incident,
    ProcessDefinition,
    ProcessInstance,
    TaskCandidate,
    Timer,
)
from app.workflow.writes import SAVED, StepWrites

# A suspended instance keeps its open tasks and pending timers: they wait for it to resume.
LIVE_STATUSES = frozenset({"running", "suspended"})


@dataclass(frozen=True)
class _Definition:
    digest: str
    filename: str
    xml: str
    callees: dict[str, int]  # called process id -> pinned callee definition id (callees.py)


_definitions: dict[int, _Definition] = {}  # by definition id; deployed versions never change
_definitions_lock = threading.Lock()


def cached_spec(session: Session, engine: Engine, definition_id: int) -> CachedSpec:
    entry = _definitions.get(definition_id)
    if entry is not None:
        # Ids come back when a database is emptied (tests, a development reset): when the row is at
        # hand (a step loads it with the instance), a different digest means a different diagram.
        row = session.identity_map.get(session.identity_key(ProcessDefinition, definition_id))
        if row is not None and row.digest != entry.digest:
            entry = None
    if entry is None:
        row = session.get(ProcessDefinition, definition_id)
        entry = _Definition(row.digest, row.filename, row.xml,
                            {key: callee.id for key, callee in pinned(session, row).items()})
        with _definitions_lock:
            _definitions[definition_id] = entry
    # Pinned callees always have smaller ids than their caller: this recursion ends.
    callees = {key: cached_spec(session, engine, callee_id) for key, callee_id in entry.callees.items()}
    return engine.specs.get(entry.digest, entry.xml, entry.filename, callees)


def clean_variables(values: Any, *, field: str) -> dict[str, Any]:
    """Variables from outside must be a JSON object whose keys the engine can store and reload."""
    from app.workflow.expressions import sanitize_data

    if not isinstance(values, dict):
        raise ValidationFailed(_("Expected an object."), fields={field: ["must be an object"]})
    try:
        return sanitize_data(values)
    except ValueError as exc:
        raise ValidationFailed(_("Some variables cannot be stored."), fields={field: [str(exc)]})


def starter_groups(definition: ProcessDefinition) -> set[str]:
    return set(definition.starter_groups or [])


@dataclass
class Run:
    session: Session
    engine: Engine
    actor: Actor
    instance: ProcessInstance
    workflow: Any
    audit: AuditLog
    now: datetime
    completed_tasks: dict[str, dict] = field(default_factory=dict)
    fired_timers: set[str] = field(default_factory=set)
    cancelled: bool = False
    retrying: Incident | None = None
    writes: StepWrites = field(default_factory=StepWrites)  # sent with the instance row (writes.py)

    def completed_task(self, task_id: str, data: dict) -> None:
        self.completed_tasks[task_id] = data

    def fired_timer(self, task_id: str) -> None:
        self.fired_timers.add(task_id)


# A step needs the definition's id only (the spec is cached): not its XML and forms on every lock.
_NO_DEFINITION = lazyload(ProcessInstance.definition)


def _lock(session: Session, instance_id: int) -> ProcessInstance:
    stmt = all_tenants(select(ProcessInstance).where(ProcessInstance.id == instance_id).options(_NO_DEFINITION))
    if session.get_bind().dialect.name == "postgresql":
        # Concurrent steps on one instance queue here; the loser then sees the new state (409).
        stmt = stmt.with_for_update(of=ProcessInstance)
    instance = session.execute(stmt.execution_options(populate_existing=True)).scalar_one_or_none()
    if instance is None:
        raise NotFound(_("No such process instance."))
    return instance


_lock_task_statements: dict[tuple[bool, str | None, bool], Any] = {}


def lock_task(session: Session, actor: Actor, task_id: str) -> tuple[HumanTask, ProcessInstance]:
    """The task the actor can see (404 otherwise) and its instance, locked, in one statement.

    On PostgreSQL the task's columns are those of the statement's snapshot: if the lock was
    waited for, a completion committed meanwhile shows in the (fresh) instance state, not in
    the task row; callers check the engine, not only ``status`` (service.complete_task)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    # Built through scoped() once per tenant scope, the task id a parameter: building and keying a
    # statement cost more than running it.
    key = (actor.city_wide, None if actor.city_wide else actor.tenant_id, postgres)
    stmt = _lock_task_statements.get(key)
    if stmt is None:
        stmt = (scoped(actor, HumanTask, HumanTask.id == bindparam("task")).add_columns(ProcessInstance)
                .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id).options(_NO_DEFINITION))
        if postgres:
            stmt = stmt.with_for_update(of=ProcessInstance)
        stmt = _lock_task_statements[key] = stmt.execution_options(populate_existing=True)
    found = session.execute(stmt, {"task": task_id}).one_or_none()
    if found is None:
        raise NotFound(f"HumanTask {task_id} not found", code="not_found")
    return found[0], found[1]


@contextmanager
def step(session: Session, engine: Engine, actor: Actor, instance_id: int | ProcessInstance, *,
         on_behalf_of: str | None = None, now: datetime | None = None, allow_suspended: bool = False,
         retrying: Incident | None = None) -> Iterator[Run]:
    """``instance_id``: an id, or an instance this transaction has already locked (lock_task)."""
    instance = instance_id if isinstance(instance_id, ProcessInstance) else _lock(session, instance_id)
    allowed = {"running", "suspended"} if allow_suspended else {"running"}
    if instance.status not in allowed:
        raise Conflict(_("The instance is %(status)s.", status=instance.status), code=f"instance_{instance.status}")
    cached = cached_spec(session, engine, instance.definition_id)
    workflow = engine.load(cached, instance.state, instance.serializer_version)
    now = now or clock.now()
    run = Run(session, engine, actor, instance, workflow, AuditLog(instance, actor, now, on_behalf_of), now,
              retrying=retrying)
    yield run
    # A suspended instance does not move on its own: whatever became ready runs on resume.
    frozen = run.cancelled or run.instance.status == "suspended"
    errors = [] if frozen else engine.run(workflow, _handler_caller(run))
    persist(run, errors)


def start(session: Session, engine: Engine, actor: Actor, definition: ProcessDefinition, *, tenant_id: str,
          business_key: str | None, variables: dict[str, Any]) -> ProcessInstance:
    now = clock.now()
    cached = cached_spec(session, engine, definition.id)
    workflow = engine.new_workflow(cached, variables)
    instance = ProcessInstance(definition=definition, definition_id=definition.id, process_key=definition.key,
                               business_key=business_key,
                               tenant_id=tenant_id, state="{}", serializer_version=engine.serializer.version,
                               started_by=actor.username, started_at=now, updated_at=now)
    session.add(instance)
    session.flush()  # the id is needed by handlers and the audit chain
    run = Run(session, engine, actor, instance, workflow, AuditLog(instance, actor, now), now)
    run.audit.add("started", None, process_key=definition.key, version=definition.version,
                  business_key=business_key, variables=variables)
    persist(run, engine.run(workflow, _handler_caller(run)))
    return instance


def _handler_caller(run: Run):
    def call(task) -> dict | None:
        ext = getattr(task.task_spec, "extensions", None) or {}
        topic = ext.get("topic")
        if handlers.get_handler(topic) is None:
            raise StepError(f"no handler registered for topic {topic!r}", task_id=str(task.id),
                            element_id=task.task_spec.bpmn_id, error_type="UnknownTopic")
        context = handlers.HandlerContext(
            session=run.session, actor=run.actor, instance_id=run.instance.id, tenant_id=run.instance.tenant_id,
            process_key=run.instance.process_key, business_key=run.instance.business_key,
            element_id=task.task_spec.bpmn_id, data=task.data, now=run.now,
        )
        # A handler that raises must leave none of its own writes behind.
        savepoint = run.session.begin_nested()
        try:
            result = handlers.call(topic, context)  # checks the answer is storable data
            savepoint.commit()
        except handlers.BpmnError as exc:  # a modelled outcome: engine.run throws it to a boundary event
            savepoint.rollback()
            from app.workflow.expressions import sanitize_data

            run.audit.add("bpmn_error", task.task_spec.bpmn_id, topic=topic, code=exc.code, message=exc.message)
            raise StepError(exc.message, task_id=str(task.id), element_id=task.task_spec.bpmn_id,
                            error_type="BpmnError", bpmn_error=(exc.code, sanitize_data(exc.variables))) from exc
        except Exception as exc:  # any failure of domain code becomes an incident
            savepoint.rollback()
            current_app.logger.warning("handler %s failed on instance %s: %s", topic, run.instance.id, exc)
            raise StepError(str(exc) or type(exc).__name__, task_id=str(task.id),
                            element_id=task.task_spec.bpmn_id, error_type=type(exc).__name__) from exc
        run.audit.add("service_task", task.task_spec.bpmn_id, topic=topic)
        return result

    return call


def persist(run: Run, errors: list[StepError]) -> None:
    from app.workflow.timing import task_deadlines

    session, engine, instance = run.session, run.engine, run.instance
    snap: Snapshot = engine.snapshot(run.workflow)
    status, ended_at = instance.status, instance.ended_at
    if run.cancelled:
        status, ended_at = "cancelled", run.now
    elif snap.completed:
        status, ended_at = "completed", run.now
        run.audit.add("completed", None)
    if instance.status != status:  # read by the derived rows below; written with the state at the end
        instance.status = status

    existing, pending = _derived(run)
    _sync_tasks(run, snap, task_deadlines, existing)
    _sync_timers(run, snap, pending)
    _record_incidents(run, errors)
    run.writes.insert(AuditEvent.__table__, AUDIT_INSERT, run.audit.take_rows())
    _save_instance(run, {"state": engine.dump(run.workflow), "serializer_version": engine.serializer.version,
                         "updated_at": run.now, "status": status, "ended_at": ended_at})
    session.flush()  # whatever the step changed through the ORM (an incident resolved, a timer row)


INSTANCES = ProcessInstance.__table__
_SAVE_INSTANCE = update(INSTANCES).where(INSTANCES.c.id == bindparam("instance"),
                                         INSTANCES.c.lock_version == bindparam("expected")).values(
    **{key: bindparam(key) for key in SAVED})


def _save_instance(run: Run, values: dict[str, Any]) -> None:
    """One UPDATE guarded by the lock version (the optimistic lock SQLite relies on), instead of
    an ORM flush; the instance object is then told these values are what the row holds."""
    instance = run.instance
    # A migration points the instance at another version through the relationship.
    moved = inspect(instance).attrs.definition.history.added
    definition = moved[0] if moved else None
    values.update(definition_id=definition.id if definition is not None else instance.definition_id,
                  has_incident=bool(instance.has_incident), audit_seq=instance.audit_seq or 0,
                  audit_hash=instance.audit_hash or "", lock_version=instance.lock_version + 1)
    count = run.writes.flush(run.session.connection(), _SAVE_INSTANCE,
                             {"instance": instance.id, "expected": instance.lock_version, **values})
    if count != 1:
        # Another step saved this instance since it was read (SQLite has no row lock to wait on).
        raise Conflict(_("The instance was changed by someone else; try again."), code="instance_changed")
    for key, value in values.items():
        set_committed_value(instance, key, value)
    if definition is not None:
        set_committed_value(instance, "definition", definition)


TASKS, CANDIDATES, TIMERS, INCIDENTS = (HumanTask.__table__, TaskCandidate.__table__, Timer.__table__,
                                        Incident.__table__)
# Built once: constructing a statement and its cache key cost more than running it (bench/engine.py).
# The instance's open tasks and pending timers in one round trip (after the lock: a fresh snapshot).
def _derived_query(where_task, where_timer):
    return union_all(
        select(literal_column("'timer'").label("kind"), TIMERS.c.instance_id, TIMERS.c.task_id.label("key"),
               TIMERS.c.element_id, TIMERS.c.id, TIMERS.c.due_at).where(where_timer, TIMERS.c.status == "pending"),
        select(literal_column("'task'"), TASKS.c.instance_id, TASKS.c.id, TASKS.c.element_id, null(), null()).where(
            where_task, TASKS.c.status == "open"),
    )


_DERIVED = _derived_query(TASKS.c.instance_id == bindparam("instance"), TIMERS.c.instance_id == bindparam("instance"))
# The same for many instances at once: the scheduler's batch, whose instances it has locked.
_DERIVED_MANY = _derived_query(TASKS.c.instance_id.in_(bindparam("instances", expanding=True)),
                               TIMERS.c.instance_id.in_(bindparam("instances", expanding=True)))
_PREFETCHED = "yunguan.workflow.derived"
_END_TASK = update(TASKS).where(TASKS.c.id == bindparam("task")).values(
    status=bindparam("new_status"), completed_at=bindparam("at"), completed_by=bindparam("by"))
_CLOSE_CANDIDATES = update(CANDIDATES).where(CANDIDATES.c.task_id.in_(bindparam("tasks", expanding=True))).values(
    is_open=False)
_INSERT_TASKS, _INSERT_CANDIDATES, _INSERT_TIMERS = insert(TASKS), insert(CANDIDATES), insert(TIMERS)
_END_TIMER = update(TIMERS).where(TIMERS.c.id == bindparam("timer")).values(
    status=bindparam("new_status"), fired_at=bindparam("at"))
_MOVE_TIMER = update(TIMERS).where(TIMERS.c.id == bindparam("timer")).values(
    due_at=bindparam("due"), fired_at=bindparam("at"))


def _derived(run: Run) -> tuple[dict[str, str], dict[str, Any]]:
    """({open task id: element id}, {pending timer's task id: row}) as the database has them."""
    prefetched = run.session.info.get(_PREFETCHED)
    if prefetched and run.instance.id in prefetched:
        return prefetched.pop(run.instance.id)  # good for one step: the step changes them
    return _split(run.session.connection().execute(_DERIVED, {"instance": run.instance.id}))[run.instance.id]


def _split(rows) -> dict[int, tuple[dict[str, str], dict[str, Any]]]:
    found: dict[int, tuple[dict[str, str], dict[str, Any]]] = defaultdict(lambda: ({}, {}))
    for row in rows:
        tasks, timers = found[row.instance_id]
        if row.kind == "task":
            tasks[row.key] = row.element_id
        else:
            timers[row.key] = row
    return found


@contextmanager
def prefetched_derived(session: Session, instance_ids: list[int]) -> Iterator[None]:
    """Read the derived rows of many instances this transaction has locked in one query, for their
    next step each (the scheduler's batch). Outside the block nothing prefetched is used."""
    found = _split(session.connection().execute(_DERIVED_MANY, {"instances": list(instance_ids)}))
    session.info[_PREFETCHED] = {i: found[i] for i in instance_ids}
    try:
        yield
    finally:
        session.info.pop(_PREFETCHED, None)


def _sync_tasks(run: Run, snap: Snapshot, task_deadlines, existing: dict[str, str]) -> None:
    # Derived rows go through Core, collected in run.writes and sent with the instance row: the ORM's
    # per-statement work, and a round trip per statement, cost more than the SQL itself (bench/engine.py).
    instance = run.instance
    ended = [tid for tid in existing if tid not in snap.user_tasks or instance.status not in LIVE_STATUSES]
    endings = []
    for task_id in ended:
        done = task_id in run.completed_tasks
        endings.append({"task": task_id, "new_status": "completed" if done else "cancelled", "at": run.now,
                        "by": run.actor.username if done else None})
        if not done:
            run.audit.add("task_cancelled", existing[task_id], task=task_id)
    if endings:
        run.writes.update("end_tasks", _END_TASK, endings)
        run.writes.update("close_candidates", _CLOSE_CANDIDATES, {"tasks": ended})
    if instance.status not in LIVE_STATUSES:
        return
    rows, candidates = [], []
    for task_id, task in snap.user_tasks.items():
        if task_id in existing:
            continue
        ext = task.extensions
        tenant_id = _task_tenant(instance, task)
        due, due_provisional, follow_up = task_deadlines(run.engine, task, run.now)
        rows.append({
            "id": task_id, "instance_id": instance.id, "tenant_id": tenant_id,
            "process_key": instance.process_key, "business_key": instance.business_key,
            "element_id": task.element_id, "name": task.name, "documentation": task.documentation,
            "form_id": ext.get("formRef") or ext.get("formKey"), "candidate_groups": ext.get("candidateGroups") or [],
            "candidate_users": ext.get("candidateUsers") or [], "assignee": _assignee(task),
            "status": "open", "priority": _priority(ext), "created_at": run.now, "due_at": due,
            "due_provisional": due_provisional, "follow_up_at": follow_up,
        })
        candidates += candidate_rows(task_id, tenant_id, due, ext.get("candidateGroups") or [],
                                     ext.get("candidateUsers") or [])
        run.audit.add("task_created", task.element_id, task=task_id, due_at=due.isoformat() if due else None)
    run.writes.insert(TASKS, _INSERT_TASKS, rows)
    run.writes.insert(CANDIDATES, _INSERT_CANDIDATES, candidates)


def _assignee(task) -> str | None:
    value = task.extensions.get("assignee")
    if not value:
        return None
    text = str(value).strip()
    if text.startswith("${") and text.endswith("}"):
        resolved = task.task.data.get(text[2:-1].strip())
        return str(resolved) if resolved else None
    return text


def _task_tenant(instance: ProcessInstance, task) -> str:
    """A task takes its instance's tenant, unless its extension property ``tenant`` is ``${variable}``
    (README "Diagrams", e.g. a city round's multi-instance task per district): then the tenant that
    variable names. Only a city instance hands tasks to a district, and only to a known tenant."""
    from app.accounts.roles import CITY, DISTRICTS

    text = str((task.extensions.get("properties") or {}).get("tenant") or "").strip()
    wanted = task.task.data.get(text[2:-1].strip()) if text.startswith("${") and text.endswith("}") else None
    if instance.tenant_id == CITY and isinstance(wanted, str) and wanted in DISTRICTS:
        return wanted
    return instance.tenant_id


def _priority(ext: dict) -> int:
    try:
        return int(ext.get("priority") or 50)
    except (TypeError, ValueError):
        return 50


def _sync_timers(run: Run, snap: Snapshot, pending: dict[str, Any]) -> None:
    from app.workflow.timing import is_provisional, notify_new_timer

    instance = run.instance
    for task_id, row in pending.items():
        waiting = snap.timers.get(task_id)
        if waiting is not None and instance.status in LIVE_STATUSES:
            if waiting.due_at != row.due_at:  # a cycle timer moved on to its next occurrence
                run.writes.update("move_timers", _MOVE_TIMER, {"timer": row.id, "due": waiting.due_at, "at": run.now})
                _tell_loaded_timer(run.session, row.id, due_at=waiting.due_at, fired_at=run.now)
            continue
        status = "fired" if task_id in run.fired_timers else "cancelled"
        run.writes.update("end_timers", _END_TIMER, {"timer": row.id, "new_status": status, "at": run.now})
        _tell_loaded_timer(run.session, row.id, status=status, fired_at=run.now)
    if instance.status not in LIVE_STATUSES:
        return
    new = [{"instance_id": instance.id, "tenant_id": instance.tenant_id, "task_id": t.task_id,
            "element_id": t.element_id, "due_at": t.due_at, "due_provisional": is_provisional(t.due_at),
            "status": "pending", "created_at": run.now}
           for task_id, t in snap.timers.items() if task_id not in pending]
    if new:
        run.writes.insert(TIMERS, _INSERT_TIMERS, new)
        for row in new:
            run.audit.add("timer_scheduled", row["element_id"], due_at=row["due_at"].isoformat())
        notify_new_timer(min(row["due_at"] for row in new), run.session)


def _tell_loaded_timer(session: Session, timer_id: int, **values: Any) -> None:
    """A Timer object the session holds (the scheduler's claim) learns what Core just wrote."""
    loaded = session.identity_map.get(session.identity_key(Timer, timer_id))
    if loaded is not None:
        for key, value in values.items():
            set_committed_value(loaded, key, value)


def _record_incidents(run: Run, errors: list[StepError]) -> None:
    session, instance = run.session, run.instance
    if not errors and run.retrying is None and not instance.has_incident:
        return  # the common step: nothing failed before, nothing failed now
    if run.retrying is not None and not any(e.task_id == run.retrying.task_id for e in errors):
        run.retrying.status, run.retrying.resolved_at = "resolved", run.now
        run.retrying.resolved_by = run.actor.username
    open_tasks = set(session.scalars(all_tenants(select(Incident.task_id).where(
        Incident.instance_id == instance.id, Incident.status == "open"))))
    for error in errors:
        if error.task_id is not None and error.task_id in open_tasks:
            continue
        session.add(Incident(instance_id=instance.id, tenant_id=instance.tenant_id, task_id=error.task_id,
                             element_id=error.element_id, error_type=error.error_type[:100],
                             message=error.message[:4000], line=error.line, created_at=run.now))
        run.audit.add("incident", error.element_id, error_type=error.error_type, message=error.message[:500])
    session.flush()
    instance.has_incident = bool(session.scalar(all_tenants(select(Incident.id).where(
        Incident.instance_id == instance.id, Incident.status == "open").limit(1))))


def describe(session: Session, engine: Engine, instance: ProcessInstance) -> dict[str, Any]:
    """Everything the instance API shows; the one place that deserializes for reading."""
    cached = cached_spec(session, engine, instance.definition_id)
    workflow = engine.load(cached, instance.state, instance.serializer_version)
    timers = session.scalars(all_tenants(select(Timer).where(Timer.instance_id == instance.id,
                                                             Timer.status == "pending"))).all()
    incidents = session.scalars(all_tenants(select(Incident).where(Incident.instance_id == instance.id,
                                                                   Incident.status == "open"))).all()
    tasks = session.scalars(all_tenants(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                                HumanTask.status == "open"))).all()
    return {
        "instance": instance,
        "active_element_ids": engine.active_element_ids(workflow),
        "completed_element_ids": engine.completed_element_ids(workflow),
        "variables": engine.serializer.data_to_json(engine.variables(workflow)),
        "timers": timers,
        "incidents": incidents,
        "tasks": tasks,
        "definition": instance.definition,
    }
