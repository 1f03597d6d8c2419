"""Applying for resources: the one way in for units (pages and API), each rule checked here.

Every function checks the Measures' rules for its application, records the application and its
lines, marks the allocations concerned, and starts (or, for an extension, signals) the process
that carries it: ``resource_application`` (M.18–19), ``resource_expansion`` (M.20, M.26),
``resource_reclaim`` (M.21, M.26), ``special_resource`` (M.21–24, M.26). The instance's tenant is
the project's; its business key is the application number. Services flush; the edge commits.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.calendar import service as calendar_service
from app.catalog import service as catalog_service
from app.errors import Conflict, ValidationFailed
from app.projects import service as projects_service
from app.projects.models import APPLYING, APPROVED, Project
from app.resources import rules
from app.resources.models import (
    DEVELOPMENT,
    EMERGENCY,
    EXPANDING,
    EXPANSION,
    EXTENSION,
    OPEN,
    PENDING,
    PREFIXES,
    QUOTA,
    RECLAIM,
    RECLAIMING,
    REQUESTED,
    SPECIAL_KINDS,
    STANDARD_KINDS,
    TEMPORARY,
    Allocation,
    Application,
    ApplicationLine,
)
from app.resources.queries import (
    allocation_number,
    get_allocation,
    get_application,
    held,
    log_event,
    pending_quantity,
)
from app.security import SYSTEM, Actor, all_tenants, require_role
from app.workflow import service as workflow_service

PROCESSES = {QUOTA: "resource_application", EXPANSION: "resource_expansion", RECLAIM: "resource_reclaim",
             DEVELOPMENT: "special_resource", EMERGENCY: "special_resource", TEMPORARY: "special_resource"}
KIND_LABELS = {QUOTA: "项目配额申请", EXPANSION: "扩容申请", RECLAIM: "回收申请", DEVELOPMENT: "开发资源",
               EMERGENCY: "应急资源", TEMPORARY: "临时资源", EXTENSION: "延期申请"}
EXTENSION_MESSAGE = "extension_requested"


# -- shared ------------------------------------------------------------------------------------
def _application(session: Session, actor: Actor, project: Project, kind: str, lines: list[ApplicationLine],
                 today: date, **values: Any) -> Application:
    application = Application(tenant_id=project.tenant_id, number="", kind=kind, project_id=project.id,
                              status=PENDING, requested_by=actor.username, **values)
    application.project = project
    application.lines = lines
    session.add(application)
    session.flush()
    application.number = f"{PREFIXES[kind]}-{today.year}-{application.id:06d}"
    session.flush()
    return application


def _line(project: Project, *, item_code: str, item_name: str, pricing_unit: str, quantity: Decimal,
          catalog_item_id: int | None = None, allocation_id: int | None = None) -> ApplicationLine:
    return ApplicationLine(tenant_id=project.tenant_id, item_code=item_code, item_name=item_name,
                           pricing_unit=pricing_unit, quantity=quantity, catalog_item_id=catalog_item_id,
                           allocation_id=allocation_id)


def summary(application: Application) -> str:
    """One line for the forms that show what is asked: "vCPU 16 核·月；内存 64 GB·月"."""
    return "；".join(f"{line.item_name} {rules.plain(line.granted)} {line.pricing_unit}" for line in application.lines)


def _start(session: Session, actor: Actor, application: Application, **variables: Any) -> Application:
    project = application.project
    instance = workflow_service.start_instance(
        session, actor, process_key=PROCESSES[application.kind], business_key=application.number,
        tenant_id=project.tenant_id,
        variables={"application_id": application.id, "application_no": application.number,
                   "project_id": project.id, "project_code": project.code, "project_name": project.name,
                   "unit_name": project.organisation.name, "applicant": actor.username,
                   "kind": application.kind, "kind_label": KIND_LABELS[application.kind],
                   "summary": summary(application), "reason": application.reason, **variables})
    application.instance_id = instance.id
    session.flush()
    return application


def _owned_project(session: Session, actor: Actor, project_id: int) -> Project:
    project = projects_service.get_project(session, actor, project_id)
    projects_service.require_owner(session, actor, project)
    return project


def _require_approved(project: Project) -> None:
    if project.status != APPROVED:
        raise Conflict(_("The project's quota has not been approved yet (Article 18)."), code="project_not_approved")


def _require_allocating(session: Session, project: Project) -> None:
    """M.25: once the authority consented to reclaim an idle system, no more resources go to it."""
    from app.monitoring import service as monitoring_service

    if monitoring_service.allocation_stopped(session, project):
        raise Conflict(_("Allocation to this system is stopped while it is reclaimed (Article 25)."),
                       code="allocation_stopped")


# -- M.18–19: quota application, then test and formal resources (one process) -------------------
def apply_for_quota(session: Session, actor: Actor, *, today: date, **project_fields: Any) -> Application:
    """M.18: a unit applies for the project quota at approval (立项), declaring any periodic load."""
    project = projects_service.create(session, actor, today=today, **project_fields)
    lines = [_line(project, item_code=q.item_code, item_name=q.item_name, pricing_unit=q.pricing_unit,
                   quantity=q.quantity) for q in project.quotas]
    application = _application(session, actor, project, QUOTA, lines, today,
                               reason=project.description)
    return _start(session, actor, application, periodic_load=project.periodic_load or "无",
                  mlps_level=project.mlps_level)


# -- M.20: expansion -----------------------------------------------------------------------------
def request_expansion(session: Session, actor: Actor, project_id: int, *, lines: list[dict[str, Any]],
                      reason: str = "", today: date) -> Application:
    """M.20: expansion of open test/formal resources. If the project's total of an item after the
    expansion exceeds 120 % of its quota, eitc decides before the operator reviews."""
    project = _owned_project(session, actor, project_id)
    _require_approved(project)
    _require_allocating(session, project)
    rows, over, problems = [], False, {}
    for index, data in enumerate(_unique_allocations(lines)):
        allocation = get_allocation(session, actor, data["allocation_id"])
        increase = Decimal(data["quantity"])
        if allocation.project_id != project.id or allocation.kind not in STANDARD_KINDS or allocation.state != OPEN:
            problems[f"lines.{index}.allocation_id"] = [_("Only open test or formal resources of this project "
                                                          "can be expanded.")]
            continue
        if increase <= 0:
            problems[f"lines.{index}.quantity"] = [_("Enter a quantity above zero.")]
            continue
        quota = project.quota_for(allocation.item_code)
        total = (held(session, project, allocation.item_code, STANDARD_KINDS)
                 + pending_quantity(session, project, allocation.item_code, (EXPANSION,)) + increase)
        over = over or rules.over_quota(quota.quantity if quota else Decimal(0), total)  # M.20
        rows.append((allocation, increase))
    if problems:
        raise ValidationFailed(_("Some lines cannot be expanded."), fields=problems)
    application = _application(
        session, actor, project, EXPANSION,
        [_line(project, item_code=a.item_code, item_name=a.item_name, pricing_unit=a.pricing_unit, quantity=q,
               catalog_item_id=a.catalog_item_id, allocation_id=a.id) for a, q in rows],
        today, reason=reason, over_quota=over)
    for allocation, increase in rows:
        allocation.state = EXPANDING
        log_event(session, allocation, actor.username, "expansion_requested", application=application,
                  note=f"+{rules.plain(increase)} {allocation.pricing_unit}")
    return _start(session, actor, application, over_120_percent=over)


def _unique_allocations(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not lines:
        raise ValidationFailed(_("Name at least one resource."), fields={"lines": [_("Required.")]})
    ids = [line["allocation_id"] for line in lines]
    if len(set(ids)) != len(ids):
        raise ValidationFailed(_("A resource is listed twice."), fields={"lines": [_("duplicate")]})
    return lines


# -- M.21: reclaim ---------------------------------------------------------------------------------
def request_reclaim(session: Session, actor: Actor, project_id: int, *, allocation_ids: list[int],
                    reason: str = "", today: date) -> Application:
    """M.21: the unit returns resources it no longer uses; it confirms backup first (M.26)."""
    project = _owned_project(session, actor, project_id)
    allocations = []
    for index, data in enumerate(_unique_allocations([{"allocation_id": i} for i in allocation_ids])):
        allocation = get_allocation(session, actor, data["allocation_id"])
        if allocation.project_id != project.id or allocation.state != OPEN:
            raise ValidationFailed(_("Only open resources of this project can be reclaimed."),
                                   fields={f"allocation_ids.{index}": [allocation.number]})
        allocations.append(allocation)
    return _start(session, actor, reclaim_application(session, actor, project, allocations, reason=reason,
                                                      today=today))


def reclaim_application(session: Session, actor: Actor, project: Project, allocations: list[Allocation], *,
                        reason: str, today: date) -> Application:
    """The reclaim application of ``allocations``, now reclaiming (no longer expandable). Also used
    by the warning-then-reclaim process (M.25), whose own diagram carries it."""
    application = _application(
        session, actor, project, RECLAIM,
        [_line(project, item_code=a.item_code, item_name=a.item_name, pricing_unit=a.pricing_unit,
               quantity=a.quantity, catalog_item_id=a.catalog_item_id, allocation_id=a.id) for a in allocations],
        today, reason=reason)
    for allocation in allocations:
        allocation.state = RECLAIMING
        log_event(session, allocation, actor.username, "reclaim_requested", application=application)
    return application


# -- M.22–24: development, emergency and temporary resources ------------------------------------------
def request_special(session: Session, actor: Actor, project_id: int, *, kind: str, lines: list[dict[str, Any]],
                    expires_on: date, today: date, reason: str = "", basis: str = "",
                    external_access: bool = False) -> Application:
    project = _owned_project(session, actor, project_id)
    _require_allocating(session, project)
    if kind not in SPECIAL_KINDS:
        raise ValidationFailed(_("Unknown kind of resource."), fields={"kind": [kind]})
    calendar = calendar_service.calendar(session)
    _check_special_project(kind, project, external_access)
    # M.22–24: the term runs from allocation; checked from today, the earliest possible day.
    rules.check_term(calendar, kind, today, expires_on)
    items = catalog_service.items_in_force(session, project.tenant_id, today)
    rows = _special_lines(session, project, kind, lines, items)
    if kind == TEMPORARY and not basis:
        basis = "年度重点工作" if project.key_work else f"专题会议：{project.special_meeting}"
    application = _application(session, actor, project, kind, rows, today, reason=reason, basis=basis,
                               requested_expiry=expires_on)
    for line in application.lines:
        allocation = Allocation(tenant_id=project.tenant_id, number="", project_id=project.id,
                                application_id=application.id, catalog_item_id=line.catalog_item_id,
                                item_code=line.item_code, item_name=line.item_name, pricing_unit=line.pricing_unit,
                                kind=kind, quantity=line.quantity, state=REQUESTED, expires_on=expires_on,
                                external_access=False)
        allocation.project = project
        session.add(allocation)
        session.flush()
        allocation.number = allocation_number(allocation)
        line.allocation_id = allocation.id
        log_event(session, allocation, actor.username, "requested", application=application)
    session.flush()
    return _start(session, actor, application, requested_expiry=expires_on.isoformat(), basis=basis)


def _check_special_project(kind: str, project: Project, external_access: bool) -> None:
    if kind == DEVELOPMENT:
        rules.check_development_project(is_city=project.is_city, approved=project.status == APPROVED)
        rules.check_not_external(external_access)
    elif kind == TEMPORARY:
        rules.check_temporary_project(approved=project.status != APPLYING, key_work=project.key_work,
                                      special_meeting=project.special_meeting)
    elif project.status not in (APPLYING, APPROVED):
        raise Conflict(_("The project's quota application was rejected."), code="project_rejected")


def _special_lines(session: Session, project: Project, kind: str, lines: list[dict[str, Any]],
                   items: dict) -> list[ApplicationLine]:
    if not lines:
        raise ValidationFailed(_("Apply for at least one catalogue item."), fields={"lines": [_("Required.")]})
    rows, problems = [], {}
    for index, data in enumerate(lines):
        item, quantity = items.get(data["item_code"]), Decimal(data["quantity"])
        if item is None or any(r.item_code == data["item_code"] for r in rows):
            problems[f"lines.{index}.item_code"] = [_("Not an item of the catalogue in force, or listed twice.")]
            continue
        if quantity <= 0:
            problems[f"lines.{index}.quantity"] = [_("Enter a quantity above zero.")]
            continue
        if kind == DEVELOPMENT:
            quota = project.quota_for(item.code)
            rules.check_development_share(  # M.22: ≤ 15 % of the project quota, pending requests included
                item_name=item.name, quota=quota.quantity if quota else Decimal(0), requested=quantity,
                held=held(session, project, item.code, (DEVELOPMENT,))
                + pending_quantity(session, project, item.code, (DEVELOPMENT,)))
        rows.append(_line(project, item_code=item.code, item_name=item.name, pricing_unit=item.pricing_unit,
                          quantity=quantity, catalog_item_id=item.id))
    if problems:
        raise ValidationFailed(_("Some lines are invalid."), fields=problems)
    return rows


# -- M.23, M.24: extension ---------------------------------------------------------------------------
def request_extension(session: Session, actor: Actor, allocation_id: int, *, expires_on: date, today: date,
                      reason: str = "") -> Application:
    """M.23, M.24: an extension reaches eitc and the authority at least 15 working days before expiry.
    It joins the resource's own process, which is waiting for its expiry."""
    allocation = get_allocation(session, actor, allocation_id)
    project = _owned_project(session, actor, allocation.project_id)
    rules.check_extendable(allocation.kind)
    if allocation.state != OPEN or allocation.expires_on is None:
        raise Conflict(_("Only open resources with an expiry date can be extended."), code="not_open")
    if expires_on <= allocation.expires_on:
        raise ValidationFailed(_("The new expiry date must be later than the current one."),
                               fields={"expires_on": [allocation.expires_on.isoformat()]})
    rules.check_extension_lead(calendar_service.calendar(session), today, allocation.expires_on)
    if _pending_extension(session, allocation):
        raise Conflict(_("An extension of this resource is already being decided."), code="extension_pending")
    origin = session.scalar(all_tenants(select(Application).where(Application.id == allocation.application_id)))
    application = _application(
        session, actor, project, EXTENSION,
        [_line(project, item_code=allocation.item_code, item_name=allocation.item_name,
               pricing_unit=allocation.pricing_unit, quantity=allocation.quantity, allocation_id=allocation.id,
               catalog_item_id=allocation.catalog_item_id)],
        today, reason=reason, requested_expiry=expires_on)
    application.instance_id = origin.instance_id
    log_event(session, allocation, actor.username, "extension_requested", application=application,
              note=expires_on.isoformat())
    # The unit's right to ask was checked above; the message is delivered on the system's behalf
    # because any user of the unit may ask, not only the one who started the process.
    workflow_service.send_message(session, SYSTEM, origin.instance_id, EXTENSION_MESSAGE, {
        "extension_id": application.id, "extension_no": application.number,
        "extension_expiry": expires_on.isoformat(), "current_expiry": allocation.expires_on.isoformat(),
        "extension_reason": reason or "", "extension_applicant": actor.username})
    return application


def _pending_extension(session: Session, allocation: Allocation) -> bool:
    stmt = all_tenants(select(ApplicationLine.id).join(Application).where(
        Application.kind == EXTENSION, Application.status == PENDING, ApplicationLine.allocation_id == allocation.id))
    return session.scalar(stmt.limit(1)) is not None


# -- M.24: eitc sets the temporary quota -----------------------------------------------------------------
def set_granted_quantities(session: Session, actor: Actor, application_id: int,
                           quantities: dict[int, Decimal]) -> Application:
    """M.24: eitc sets the quota of temporary resources while deciding the application."""
    require_role(actor, "eitc")
    application = get_application(session, actor, application_id)
    if application.kind != TEMPORARY or application.status != PENDING:
        raise Conflict(_("Only a pending temporary application takes a quota from eitc."), code="not_temporary")
    if any(line.allocation_id is not None and _allocation_state(session, line) != REQUESTED
           for line in application.lines):
        raise Conflict(_("The resources are already configured."), code="already_configured")
    by_id = {line.id: line for line in application.lines}
    problems = {str(k): [_("Not a line of this application.")] for k in quantities if k not in by_id}
    problems |= {str(k): [_("Enter a quantity above zero.")] for k, v in quantities.items() if v <= 0}
    if problems:
        raise ValidationFailed(_("Some lines are invalid."), fields=problems)
    for line_id, quantity in quantities.items():
        by_id[line_id].approved_quantity = quantity
    session.flush()
    return application


def _allocation_state(session: Session, line: ApplicationLine) -> str | None:
    return session.scalar(all_tenants(select(Allocation.state).where(Allocation.id == line.allocation_id)))
