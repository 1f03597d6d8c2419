"""Admin operations on instances: suspend, resume, edit variables, move a token, migrate.

Each is one engine step (``steps.step``): the instance row locked, the change made, the state
and derived rows written with an audit event naming the admin and their reason — one
transaction, which the edge commits. A batch migration gives every instance its own savepoint:
one that fails is left exactly as it was, and the others keep their migration.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from app.errors import Conflict, DomainError, ValidationFailed
from app.security import Actor, all_tenants, get_visible, require_role, scoped
from app.workflow import deployment, modification, steps
from app.workflow import service as workflow_service
from app.workflow.access import candidate_rows
from app.workflow.engine import CachedSpec
from app.workflow.models import HumanTask, Incident, ProcessDefinition, ProcessInstance, TaskCandidate
from app.workflow.service import get_engine

log = logging.getLogger(__name__)
ADMIN = "admin"
MAX_REASON = 1000
MAX_BATCH = 500


def require_reason(reason: str | None) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise ValidationFailed(_("Give a reason: it is recorded in the instance's history."),
                               fields={"reason": [_("A reason is required.")]}, code="reason_required")
    return text[:MAX_REASON]


def _admin_instance(session: Session, actor: Actor, instance_id: int) -> ProcessInstance:
    require_role(actor, ADMIN)
    return get_visible(session, actor, ProcessInstance, instance_id)


def _refused(exc: modification.ModificationError, field_name: str) -> Conflict:
    return Conflict(_("The change cannot be made: %(why)s", why=str(exc)), code="modification_refused",
                    fields={field_name: [str(exc)]})


# -- reading ------------------------------------------------------------------------------------
@dataclass
class Insight:
    """What the admin's instance page draws and offers, from one deserialization."""

    active_element_ids: list[str]
    completed_element_ids: list[str]
    error_element_ids: list[str]
    taken_flow_ids: list[str]
    variables: dict[str, Any]
    waiting_messages: list[str]
    movable_sources: list[str]
    elements: list[modification.Element]


def insight_of(session: Session, instance: ProcessInstance) -> Insight:
    """The instance as the engine sees it (the caller has checked the actor may see it)."""
    engine = get_engine()
    cached = steps.cached_spec(session, engine, instance.definition_id)
    workflow = engine.load(cached, instance.state, instance.serializer_version)
    flows = cached.diagram.flow_ids
    live = instance.status in steps.LIVE_STATUSES
    return Insight(
        active_element_ids=engine.active_element_ids(workflow) if live else [],
        completed_element_ids=engine.completed_element_ids(workflow),
        error_element_ids=modification.error_element_ids(workflow) if live else [],
        taken_flow_ids=[flows[pair] for pair in engine.taken_pairs(workflow) if pair in flows],
        variables=engine.serializer.data_to_json(engine.variables(workflow)),
        waiting_messages=modification.waiting_messages(workflow) if live else [],
        movable_sources=modification.movable_sources(workflow) if live else [],
        elements=modification.elements(cached),
    )


# -- suspend and resume -------------------------------------------------------------------------
def suspend(session: Session, actor: Actor, instance_id: int, *, reason: str) -> ProcessInstance:
    """Stop an instance where it is: its tasks cannot be completed, its timers and messages wait."""
    _admin_instance(session, actor, instance_id)
    reason = require_reason(reason)
    with steps.step(session, get_engine(), actor, instance_id) as run:  # only a running instance
        run.instance.status = "suspended"
        run.audit.add("suspended", None, reason=reason)
    return run.instance


def resume(session: Session, actor: Actor, instance_id: int, *, reason: str) -> ProcessInstance:
    """Let a suspended instance go on; whatever became due meanwhile runs now or at the next sweep."""
    _admin_instance(session, actor, instance_id)
    reason = require_reason(reason)
    with steps.step(session, get_engine(), actor, instance_id, allow_suspended=True) as run:
        if run.instance.status != "suspended":
            raise Conflict(_("The instance is not suspended."), code="instance_not_suspended")
        run.instance.status = "running"
        run.audit.add("resumed", None, reason=reason)
    return run.instance


# -- the service's own actions, with the reason admins must give ---------------------------------
def cancel(session: Session, actor: Actor, instance_id: int, *, reason: str) -> ProcessInstance:
    _admin_instance(session, actor, instance_id)
    return workflow_service.cancel_instance(session, actor, instance_id, require_reason(reason))


def send_message(session: Session, actor: Actor, instance_id: int, *, name: str,
                 variables: dict[str, Any] | None = None, reason: str) -> ProcessInstance:
    _admin_instance(session, actor, instance_id)
    return workflow_service.send_message(session, actor, instance_id, name, variables,
                                         reason=require_reason(reason))


def retry_incident(session: Session, actor: Actor, incident_id: int, *, reason: str) -> Incident:
    require_role(actor, ADMIN)
    get_visible(session, actor, Incident, incident_id)
    return workflow_service.retry_incident(session, actor, incident_id, reason=require_reason(reason))


# -- variables ----------------------------------------------------------------------------------
def edit_variables(session: Session, actor: Actor, instance_id: int, *, values: dict[str, Any],
                   unset: Iterable[str] = (), reason: str) -> dict[str, Any]:
    """Set and remove process variables; the audit event keeps the old and the new values."""
    _admin_instance(session, actor, instance_id)
    reason = require_reason(reason)
    values = steps.clean_variables(values, field="values")
    names = [str(name).strip() for name in unset if str(name).strip()]
    if not values and not names:
        raise ValidationFailed(_("Nothing to change."), fields={"values": [_("Give at least one variable.")]})
    with steps.step(session, get_engine(), actor, instance_id, allow_suspended=True) as run:
        try:
            changes = modification.set_variables(run.engine, run.workflow, values, names)
        except modification.ModificationError as exc:
            raise _refused(exc, "values")
        run.audit.add("variables_changed", None, changes=changes, reason=reason)
    return changes


# -- moving a token -----------------------------------------------------------------------------
def move_token(session: Session, actor: Actor, instance_id: int, *, source: str, target: str,
               reason: str) -> modification.Move:
    """Cancel the token at ``source`` and start one before ``target`` (process instance modification)."""
    _admin_instance(session, actor, instance_id)
    reason = require_reason(reason)
    engine = get_engine()
    with steps.step(session, engine, actor, instance_id, allow_suspended=True) as run:
        try:
            move = modification.move_token(run.workflow, source, target)
            modification.verify_reloads(engine, run.workflow,
                                        steps.cached_spec(session, engine, run.instance.definition_id))
        except modification.ModificationError as exc:
            raise _refused(exc, "target")
        _resolve_incidents(session, actor, run, move.cancelled_task_ids)
        run.audit.add("token_moved", source, to=target, cancelled_tasks=move.cancelled_task_ids, reason=reason)
    return move


def _resolve_incidents(session: Session, actor: Actor, run: steps.Run, task_ids: list[str]) -> None:
    """A failed step whose token was moved away is no longer anyone's problem."""
    if not task_ids:
        return
    for incident in session.scalars(all_tenants(select(Incident).where(
            Incident.instance_id == run.instance.id, Incident.status == "open", Incident.task_id.in_(task_ids)))):
        incident.status, incident.resolved_at, incident.resolved_by = "resolved", run.now, actor.username


# -- migration ----------------------------------------------------------------------------------
@dataclass
class MigrationPreview:
    instance_id: int
    business_key: str | None
    tenant_id: str
    status: str
    from_version: int
    to_version: int
    ok: bool
    reasons: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


@dataclass
class MigrationResult:
    instance_id: int
    ok: bool
    from_version: int | None = None
    to_version: int | None = None
    message: str = ""


def target_definition(session: Session, process_key: str, version: int | None) -> ProcessDefinition:
    return deployment.get_definition(session, process_key, version)


def _fit(instance: ProcessInstance, target: ProcessDefinition) -> str | None:
    """Why this instance cannot move to ``target`` before looking inside it, if it cannot."""
    if instance.process_key != target.key:
        return _("it runs another process (%(key)s)", key=instance.process_key)
    if instance.status not in steps.LIVE_STATUSES:
        return _("it has ended (%(status)s)", status=instance.status)
    if instance.definition.version >= target.version:
        return _("it already runs version %(v)s", v=instance.definition.version)
    return None


def preview_migration(session: Session, actor: Actor, instance_ids: Iterable[int], *, process_key: str,
                      target_version: int | None = None) -> list[MigrationPreview]:
    """Which of these instances could move to the target version, and why not. Changes nothing."""
    require_role(actor, ADMIN)
    target = target_definition(session, process_key, target_version)
    engine = get_engine()
    new = steps.cached_spec(session, engine, target.id)
    previews = []
    for instance in _instances(session, actor, instance_ids):
        preview = MigrationPreview(instance.id, instance.business_key, instance.tenant_id, instance.status,
                                   instance.definition.version, target.version, ok=False)
        reason = _fit(instance, target)
        if reason:
            preview.reasons = [reason]
        else:
            workflow = engine.load(steps.cached_spec(session, engine, instance.definition_id), instance.state,
                                   instance.serializer_version)
            check = modification.check_migration(engine, workflow, new)
            preview.ok, preview.reasons, preview.changed, preview.added = (check.ok, check.reasons, check.changed,
                                                                           check.added)
        previews.append(preview)
    return previews


def _instances(session: Session, actor: Actor, instance_ids: Iterable[int]) -> list[ProcessInstance]:
    ids = sorted({int(i) for i in instance_ids})
    if len(ids) > MAX_BATCH:
        raise ValidationFailed(_("At most %(n)s instances at a time.", n=MAX_BATCH),
                               fields={"instance_ids": [_("too many")]})
    return list(session.scalars(scoped(actor, ProcessInstance, ProcessInstance.id.in_(ids))
                                .order_by(ProcessInstance.id)))


def migrate_instance(session: Session, actor: Actor, instance_id: int, *, target_version: int | None = None,
                     reason: str) -> MigrationResult:
    """Move one running (or suspended) instance to a newer version of its definition, or refuse (409)."""
    instance = _admin_instance(session, actor, instance_id)
    reason = require_reason(reason)
    target = target_definition(session, instance.process_key, target_version)
    why = _fit(instance, target)
    if why:
        raise Conflict(_("The instance cannot be migrated: %(why)s.", why=why), code="not_migratable")
    engine = get_engine()
    new = steps.cached_spec(session, engine, target.id)
    with steps.step(session, engine, actor, instance_id, allow_suspended=True) as run:
        old_version = run.instance.definition.version
        try:
            check = modification.migrate(engine, run.workflow, new)
        except modification.ModificationError as exc:
            raise Conflict(_("The instance cannot be migrated: %(why)s.", why=str(exc)), code="not_migratable",
                           fields={"target_version": [str(exc)]})
        run.instance.definition = target
        _refresh_open_tasks(run, new, check.changed)
        run.audit.add("migrated", None, from_version=old_version, to_version=target.version,
                      changed=check.changed, added=check.added, reason=reason)
    return MigrationResult(instance_id, True, old_version, target.version)


def _refresh_open_tasks(run: steps.Run, new: CachedSpec, changed: list[str]) -> None:
    """Open tasks keep their ids through a migration; where their element changed (candidate
    groups, form, name), the inbox rows follow the new version."""
    conn = run.session.connection()
    tasks, candidates = HumanTask.__table__, TaskCandidate.__table__
    rows = conn.execute(select(tasks.c.id, tasks.c.element_id, tasks.c.due_at, tasks.c.tenant_id).where(
        tasks.c.instance_id == run.instance.id, tasks.c.status == "open", tasks.c.element_id.in_(changed))).all()
    for row in rows:
        spec = new.spec.task_specs.get(row.element_id)
        ext = getattr(spec, "extensions", None) or {}
        groups = list(dict.fromkeys(ext.get("candidateGroups") or []))
        conn.execute(update(tasks).where(tasks.c.id == row.id).values(
            name=spec.bpmn_name or spec.bpmn_id, candidate_groups=groups,
            candidate_users=ext.get("candidateUsers") or [], form_id=ext.get("formRef") or ext.get("formKey")))
        conn.execute(delete(candidates).where(candidates.c.task_id == row.id))
        offered = candidate_rows(row.id, row.tenant_id, row.due_at, groups, ext.get("candidateUsers") or [])
        if offered:
            conn.execute(insert(candidates), offered)


def migrate_batch(session: Session, actor: Actor, instance_ids: Iterable[int], *, process_key: str,
                  target_version: int | None = None, reason: str) -> list[MigrationResult]:
    """Migrate each instance in its own savepoint and report each outcome. The edge commits once."""
    require_role(actor, ADMIN)
    reason = require_reason(reason)
    target = target_definition(session, process_key, target_version)
    results = []
    # Ids and versions first: a rolled-back savepoint expires the rows it touched.
    chosen = [(i.id, i.definition.version) for i in _instances(session, actor, instance_ids)]
    for instance_id, from_version in chosen:
        try:
            with session.begin_nested():
                results.append(migrate_instance(session, actor, instance_id, target_version=target.version,
                                                reason=reason))
        except DomainError as exc:
            results.append(MigrationResult(instance_id, False, from_version, target.version, exc.message))
        except Exception as exc:  # one instance's failure must not stop (or undo) the others
            log.exception("migrating instance %s to %s v%s failed", instance_id, process_key, target.version)
            results.append(MigrationResult(instance_id, False, from_version, target.version,
                                           f"{type(exc).__name__}: {exc}"))
    return results
