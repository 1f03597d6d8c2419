"""Reading resources and applications as each role may, and the figures the rules need.

Visibility follows projects (``app.projects.service.visible``): the tenant first, then a user
unit only sees what belongs to its own organisation's projects.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.errors import NotFound
from app.projects import service as projects_service
from app.projects.models import Project
from app.resources.models import (
    ACTIVE_STATES,
    DEVELOPMENT,
    EXTENSION,
    PENDING,
    STANDARD_KINDS,
    Allocation,
    AllocationEvent,
    Application,
    ApplicationLine,
)
from app.security import Actor, all_tenants, scoped
from app.workflow.models import HumanTask


def allocation_number(allocation: Allocation) -> str:
    return f"R-{allocation.id:06d}"


def log_event(session: Session, allocation: Allocation | None, actor: str, kind: str, *,
              application: Application | None = None, note: str = "", quantity_before: Decimal | None = None,
              expires_before: date | None = None, at: datetime | None = None) -> AllocationEvent:
    tenant = allocation.tenant_id if allocation is not None else application.tenant_id
    event = AllocationEvent(
        tenant_id=tenant, allocation_id=allocation.id if allocation is not None else None,
        application_id=application.id if application is not None else None, at=at or clock.now(), actor=actor,
        kind=kind, state_after=allocation.state if allocation is not None else None,
        quantity_before=quantity_before, quantity_after=allocation.quantity if allocation is not None else None,
        expires_before=expires_before, expires_after=allocation.expires_on if allocation is not None else None,
        note=note)
    session.add(event)
    return event


# -- figures for the rules (system reads: the project is already known to be the actor's) ------------
def held(session: Session, project: Project, item_code: str, kinds: Iterable[str]) -> Decimal:
    """Quantity of an item the project holds or has been granted, in active allocations of ``kinds``."""
    stmt = all_tenants(select(func.coalesce(func.sum(Allocation.quantity), 0)).where(
        Allocation.project_id == project.id, Allocation.item_code == item_code,
        Allocation.kind.in_(tuple(kinds)), Allocation.state.in_(ACTIVE_STATES)))
    return Decimal(session.scalar(stmt) or 0)


def pending_quantity(session: Session, project: Project, item_code: str, kinds: Iterable[str]) -> Decimal:
    """Quantities asked for in pending applications of ``kinds`` that no allocation holds yet:
    expansion increases (the allocation grows only when expanded). Development requests hold a
    ``requested`` allocation already, counted by :func:`held`, so they add nothing here."""
    kinds = tuple(k for k in kinds if k != DEVELOPMENT)
    if not kinds:
        return Decimal(0)
    stmt = all_tenants(select(func.coalesce(func.sum(ApplicationLine.quantity), 0)).join(Application).where(
        Application.project_id == project.id, Application.status == PENDING, Application.kind.in_(kinds),
        ApplicationLine.item_code == item_code))
    return Decimal(session.scalar(stmt) or 0)


# -- allocations ---------------------------------------------------------------------------------------
def _visible_allocations(session: Session, actor: Actor, *criteria: Any):
    projects = projects_service.visible(session, actor).with_only_columns(Project.id)
    return scoped(actor, Allocation, *criteria).where(Allocation.project_id.in_(projects.scalar_subquery()))


def get_allocation(session: Session, actor: Actor, allocation_id: int) -> Allocation:
    allocation = session.scalar(_visible_allocations(session, actor, Allocation.id == allocation_id))
    if allocation is None:
        raise NotFound(_("No such resource."), code="not_found")
    return allocation


def list_allocations(session: Session, actor: Actor, *, project_id: int | None = None, state: str | None = None,
                     kind: str | None = None, active_only: bool = False) -> list[Allocation]:
    stmt = _visible_allocations(session, actor)
    if project_id is not None:
        stmt = stmt.where(Allocation.project_id == project_id)
    if state:
        stmt = stmt.where(Allocation.state == state)
    if kind:
        stmt = stmt.where(Allocation.kind == kind)
    if active_only:
        stmt = stmt.where(Allocation.state.in_(ACTIVE_STATES))
    return list(session.scalars(stmt.order_by(Allocation.project_id, Allocation.id)))


def history(session: Session, actor: Actor, allocation: Allocation) -> list[AllocationEvent]:
    return list(session.scalars(scoped(actor, AllocationEvent, AllocationEvent.allocation_id == allocation.id)
                                .order_by(AllocationEvent.at, AllocationEvent.id)))


# -- applications ----------------------------------------------------------------------------------------
def _visible_applications(session: Session, actor: Actor, *criteria: Any):
    projects = projects_service.visible(session, actor).with_only_columns(Project.id)
    return scoped(actor, Application, *criteria).where(Application.project_id.in_(projects.scalar_subquery()))


def get_application(session: Session, actor: Actor, application_id: int) -> Application:
    application = session.scalar(_visible_applications(session, actor, Application.id == application_id))
    if application is None:
        raise NotFound(_("No such application."), code="not_found")
    return application


def list_applications(session: Session, actor: Actor, *, status: str | None = None, kind: str | None = None,
                      project_id: int | None = None, limit: int = 200) -> list[Application]:
    stmt = _visible_applications(session, actor)
    if status:
        stmt = stmt.where(Application.status == status)
    if kind:
        stmt = stmt.where(Application.kind == kind)
    if project_id is not None:
        stmt = stmt.where(Application.project_id == project_id)
    return list(session.scalars(stmt.order_by(Application.id.desc()).limit(limit)))


def application_events(session: Session, actor: Actor, application: Application) -> list[AllocationEvent]:
    return list(session.scalars(scoped(actor, AllocationEvent, AllocationEvent.application_id == application.id)
                                .order_by(AllocationEvent.at, AllocationEvent.id)))


EXTENSION_STEPS = "Task_Extension"  # the special_resource tasks that decide an extension


def open_steps(session: Session, actor: Actor, applications: list[Application]) -> dict[int, list[Any]]:
    """Per pending application, the user tasks its process waits on (name, due date, groups), read
    from the inbox rows. An extension shares its resource's instance: the extension tasks show on
    the extension, the others on the original application."""
    pending = [a for a in applications if a.instance_id is not None and a.status == PENDING]
    if not pending:
        return {}
    rows = session.scalars(scoped(actor, HumanTask, HumanTask.instance_id.in_({a.instance_id for a in pending}),
                                  HumanTask.status == "open").order_by(HumanTask.created_at)).all()
    found: dict[int, list[Any]] = {}
    for application in pending:
        wanted = application.kind == EXTENSION
        found[application.id] = [row for row in rows if row.instance_id == application.instance_id
                                 and row.element_id.startswith(EXTENSION_STEPS) == wanted]
    return found


class Detail:
    """A row with extra attributes for one schema to dump; reads through to the row."""

    def __init__(self, row: Any, **extra: Any) -> None:
        self._row = row
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)


def application_detail(session: Session, actor: Actor, application_id: int) -> Detail:
    application = get_application(session, actor, application_id)
    steps = open_steps(session, actor, [application]).get(application.id, [])
    return Detail(application, events=application_events(session, actor, application), open_steps=steps)


def allocation_detail(session: Session, actor: Actor, allocation_id: int) -> Detail:
    allocation = get_allocation(session, actor, allocation_id)
    return Detail(allocation, history=history(session, actor, allocation))


def project_detail(session: Session, actor: Actor, project_id: int) -> Detail:
    project = projects_service.get_project(session, actor, project_id)
    return Detail(project, usage=quota_use(session, project))


# -- quota use, for the pages ------------------------------------------------------------------------------
@dataclass
class ItemUse:
    item_code: str
    item_name: str
    pricing_unit: str
    quota: Decimal
    peak: Decimal | None
    used: Decimal  # test and formal resources held (M.20 counts these against the quota)
    development: Decimal
    special: dict[str, Decimal] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        return int(self.used * 100 / self.quota) if self.quota else 0

    @property
    def development_limit(self) -> Decimal:
        from app.resources.rules import DEV_SHARE

        return self.quota * DEV_SHARE


def quota_use(session: Session, project: Project) -> list[ItemUse]:
    """Per quota item: the quota, what is held against it, and development resources (M.20, M.22)."""
    result = []
    for quota in project.quotas:
        result.append(ItemUse(quota.item_code, quota.item_name, quota.pricing_unit, quota.quantity,
                              quota.peak_quantity, held(session, project, quota.item_code, STANDARD_KINDS),
                              held(session, project, quota.item_code, (DEVELOPMENT,))))
    return result
