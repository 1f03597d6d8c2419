"""Read models for the admin pages and API: definitions with their instance counts, uploads with
their validation problems, the instance list with its filters, and the instance page.

Reads go through ``scoped``/``get_visible`` (admins are city-wide, the guard still wants it said);
changes go to ``app.workflow.operations`` and ``app.workflow.service``. Services flush; edges commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Organisation, User, UserRole
from app.accounts.roles import CITY_WIDE_ROLES
from app.errors import BadRequest
from app.security import Actor, get_visible, require_role, scoped
from app.workflow import deployment, operations
from app.workflow.audit import verify_chain
from app.workflow.models import AuditEvent, HumanTask, Incident, ProcessDefinition, ProcessInstance, Timer
from app.workflow.validation import Problem

ADMIN = "admin"
MONITOR_ROLES = ("admin", "process_owner")  # may look; only admins act
STATUSES = ("running", "suspended", "completed", "cancelled")


# -- definitions --------------------------------------------------------------------------------
@dataclass
class VersionRow:
    definition: ProcessDefinition
    counts: dict[str, int]  # by instance status
    incidents: int  # instances of this version with an open incident

    def __getattr__(self, name: str) -> Any:
        return getattr(self.definition, name)


@dataclass
class DefinitionGroup:
    key: str
    name: str
    versions: list[VersionRow]

    @property
    def latest(self) -> VersionRow:
        return self.versions[0]


def definitions(session: Session, actor: Actor) -> list[DefinitionGroup]:
    """Every key with its versions, newest first, and the instances of each by status."""
    require_role(actor, *MONITOR_ROLES)
    base = scoped(actor, ProcessInstance)
    counts: dict[int, dict[str, int]] = {}
    for definition_id, status, count in session.execute(base.with_only_columns(
            ProcessInstance.definition_id, ProcessInstance.status, func.count())
            .group_by(ProcessInstance.definition_id, ProcessInstance.status)):
        counts.setdefault(definition_id, {})[status] = count
    incidents = dict(session.execute(base.with_only_columns(ProcessInstance.definition_id, func.count())
                                     .where(ProcessInstance.has_incident).group_by(ProcessInstance.definition_id)).all())
    groups: dict[str, DefinitionGroup] = {}
    for definition in deployment.list_definitions(session):
        group = groups.setdefault(definition.key, DefinitionGroup(definition.key, definition.name, []))
        group.versions.append(VersionRow(definition, counts.get(definition.id, {}), incidents.get(definition.id, 0)))
    return list(groups.values())


def definition_version(session: Session, actor: Actor, key: str, version: int | None = None) -> ProcessDefinition:
    require_role(actor, *MONITOR_ROLES)
    return deployment.get_definition(session, key, version)


@dataclass
class Upload:
    filename: str
    problems: list[Problem] = field(default_factory=list)
    definition: ProcessDefinition | None = None
    created: bool = False

    @property
    def ok(self) -> bool:
        return self.definition is not None


def upload(session: Session, actor: Actor, data: bytes, filename: str) -> Upload:
    """Check, then deploy, one uploaded diagram. Problems come back one by one (file:line, element,
    reason) for the page to show next to the file, not as one error string."""
    require_role(actor, *deployment.DEPLOYER_ROLES)
    name = Path(filename or "").name
    if not name.lower().endswith(".bpmn"):
        raise BadRequest(_("Upload a .bpmn file."), fields={"file": [_("The file name must end with .bpmn.")]})
    if not data:
        raise BadRequest(_("The file is empty."), fields={"file": [_("The file is empty.")]})
    verdict = deployment.check(session, data, name)
    if not verdict.ok:
        return Upload(name, problems=list(verdict.problems))
    result = deployment.deploy(session, actor, data, name)
    return Upload(name, definition=result.definition, created=result.created)


# -- instances ----------------------------------------------------------------------------------
@dataclass
class InstanceFilters:
    process_key: str | None = None
    version: int | None = None
    status: str | None = None
    tenant: str | None = None
    business_key: str | None = None
    started_from: datetime | None = None
    started_to: datetime | None = None
    has_incident: bool | None = None
    waiting_at: str | None = None


@dataclass
class InstancePage:
    items: list[ProcessInstance]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered(actor: Actor, f: InstanceFilters):
    stmt = scoped(actor, ProcessInstance)
    if f.process_key:
        stmt = stmt.where(ProcessInstance.process_key == f.process_key)
    if f.version:
        stmt = stmt.where(ProcessInstance.definition_id.in_(select(ProcessDefinition.id).where(
            ProcessDefinition.version == f.version, *([ProcessDefinition.key == f.process_key]
                                                      if f.process_key else []))))
    if f.status:
        stmt = stmt.where(ProcessInstance.status == f.status)
    if f.tenant:
        stmt = stmt.where(ProcessInstance.tenant_id == f.tenant)
    if f.business_key:
        stmt = stmt.where(ProcessInstance.business_key.contains(f.business_key, autoescape=True))
    if f.started_from:
        stmt = stmt.where(ProcessInstance.started_at >= f.started_from)
    if f.started_to:
        stmt = stmt.where(ProcessInstance.started_at < f.started_to)
    if f.has_incident is not None:
        stmt = stmt.where(ProcessInstance.has_incident.is_(f.has_incident))
    if f.waiting_at:
        stmt = stmt.where(_waiting_at(f.waiting_at))
    return stmt


def _waiting_at(element_id: str):
    # Waits are read from the derived rows (open tasks, pending timers, open incidents): the
    # list never deserializes workflows (DESIGN §3). A bare message wait has no row of its own.
    pid = ProcessInstance.id
    return or_(
        exists(select(HumanTask.id).where(HumanTask.instance_id == pid, HumanTask.status == "open",
                                          HumanTask.element_id == element_id)),
        exists(select(Timer.id).where(Timer.instance_id == pid, Timer.status == "pending",
                                      Timer.element_id == element_id)),
        exists(select(Incident.id).where(Incident.instance_id == pid, Incident.status == "open",
                                         Incident.element_id == element_id)),
    )


def list_instances(session: Session, actor: Actor, filters: InstanceFilters, *, page: int = 1,
                   per_page: int = 25) -> InstancePage:
    require_role(actor, *MONITOR_ROLES)
    stmt = _filtered(actor, filters)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = session.scalars(stmt.order_by(ProcessInstance.id.desc()).offset((page - 1) * per_page)
                            .limit(per_page)).all()
    return InstancePage(list(items), total, page, per_page)


# -- one instance -------------------------------------------------------------------------------
@dataclass
class TaskView:
    task: HumanTask
    people: list[str]  # who could take it now: assignee, or users of its groups in reach


@dataclass
class TimerView:
    timer: Timer
    lateness_seconds: float | None  # how long it has been due; None while not due yet


@dataclass
class InstanceView:
    instance: ProcessInstance
    insight: operations.Insight
    tasks: list[TaskView]
    timers: list[TimerView]
    incidents: list[Incident]
    history: list[AuditEvent]
    chain_intact: bool
    chain_broken_at: int | None
    newer_versions: list[int]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.insight, name)


def instance_view(session: Session, actor: Actor, instance_id: int) -> InstanceView:
    require_role(actor, *MONITOR_ROLES)
    instance = get_visible(session, actor, ProcessInstance, instance_id)
    now = clock.now()
    tasks = session.scalars(scoped(actor, HumanTask, HumanTask.instance_id == instance.id,
                                   HumanTask.status == "open").order_by(HumanTask.created_at)).all()
    timers = session.scalars(scoped(actor, Timer, Timer.instance_id == instance.id, Timer.status == "pending")
                             .order_by(Timer.due_at)).all()
    incidents = session.scalars(scoped(actor, Incident, Incident.instance_id == instance.id)
                                .order_by(Incident.created_at.desc())).all()
    history = session.scalars(scoped(actor, AuditEvent, AuditEvent.instance_id == instance.id)
                              .order_by(AuditEvent.seq)).all()
    intact, broken_at = verify_chain(session, instance)
    newer = session.scalars(select(ProcessDefinition.version).where(
        ProcessDefinition.key == instance.process_key, ProcessDefinition.version > instance.definition.version)
        .order_by(ProcessDefinition.version.desc())).all()
    return InstanceView(
        instance=instance, insight=operations.insight_of(session, instance),
        tasks=[TaskView(t, p) for t, p in zip(tasks, _people(session, tasks), strict=True)],
        timers=[TimerView(t, round((now - t.due_at).total_seconds(), 1) if t.due_at <= now else None)
                for t in timers],
        incidents=list(incidents), history=list(history), chain_intact=intact, chain_broken_at=broken_at,
        newer_versions=list(newer),
    )


def _people(session: Session, tasks: list[HumanTask], limit: int = 20) -> list[list[str]]:
    """Usernames who could take each task: its assignee, its candidate users, and holders of its
    candidate groups in reach of its tenant (the rule of ``app.workflow.access``)."""
    result = []
    for task in tasks:
        if task.assignee:
            result.append([task.assignee])
            continue
        groups = list(task.candidate_groups or [])
        reach = or_(UserRole.role.in_([g for g in groups if g in CITY_WIDE_ROLES]),
                    and_(UserRole.role.in_([g for g in groups if g not in CITY_WIDE_ROLES]),
                         Organisation.tenant_id == task.tenant_id))
        names = session.scalars(select(User.username).join(UserRole, UserRole.user_id == User.id)
                                .join(Organisation, Organisation.id == User.organisation_id)
                                .where(User.active, reach).distinct().order_by(User.username).limit(limit)).all()
        result.append(list(dict.fromkeys([*(task.candidate_users or []), *names])))
    return result


def history(session: Session, actor: Actor, instance_id: int) -> tuple[ProcessInstance, list[AuditEvent], bool,
                                                                        int | None]:
    """The audit events, oldest first, with the hash chain verified as they are read."""
    require_role(actor, *MONITOR_ROLES)
    instance = get_visible(session, actor, ProcessInstance, instance_id)
    events = session.scalars(scoped(actor, AuditEvent, AuditEvent.instance_id == instance.id)
                             .order_by(AuditEvent.seq)).all()
    intact, broken_at = verify_chain(session, instance)
    return instance, list(events), intact, broken_at


# -- migration ----------------------------------------------------------------------------------
@dataclass
class MigrationSelection:
    """Which instances a migration is about: listed ids, or a filter over one process."""

    process_key: str
    target_version: int | None = None
    instance_ids: list[int] | None = None
    from_version: int | None = None
    status: str | None = None
    tenant: str | None = None
    business_key: str | None = None
    waiting_at: str | None = None

    def filters(self) -> InstanceFilters:
        return InstanceFilters(process_key=self.process_key, version=self.from_version, status=self.status,
                               tenant=self.tenant, business_key=self.business_key, waiting_at=self.waiting_at)


def _selected(session: Session, actor: Actor, selection: MigrationSelection) -> list[int]:
    if selection.instance_ids is not None:
        return list(selection.instance_ids)
    # Ended instances never migrate: a filtered batch leaves them out instead of reporting each.
    # One more than the batch limit is read, so an oversized selection is refused, not cut short.
    stmt = _filtered(actor, selection.filters()).where(ProcessInstance.status.in_(("running", "suspended")))
    return list(session.scalars(stmt.with_only_columns(ProcessInstance.id).order_by(ProcessInstance.id)
                                .limit(operations.MAX_BATCH + 1)))


def preview_migration(session: Session, actor: Actor, selection: MigrationSelection
                      ) -> list[operations.MigrationPreview]:
    require_role(actor, ADMIN)
    return operations.preview_migration(session, actor, _selected(session, actor, selection),
                                        process_key=selection.process_key, target_version=selection.target_version)


def migrate(session: Session, actor: Actor, selection: MigrationSelection, *, reason: str
            ) -> list[operations.MigrationResult]:
    require_role(actor, ADMIN)
    return operations.migrate_batch(session, actor, _selected(session, actor, selection),
                                    process_key=selection.process_key, target_version=selection.target_version,
                                    reason=reason)
