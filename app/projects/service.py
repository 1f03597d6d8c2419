"""Projects and their quotas (M.18): registering a project with its quota application, reading
projects as each role may, and the process steps that approve or reject the quota.

Visibility: the tenant rule first (a district sees only its own), then, for a user unit, only its
own organisation's projects — a unit works on its own information systems, and a colleague unit of
the same district is not its business. Approval itself is a user task of ``resource_application``.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import false, func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.catalog import service as catalog_service
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.projects.models import APPLYING, APPROVED, REJECTED, Project, ProjectQuota
from app.security import Actor, all_tenants, require_role, scoped

UNIT = "unit"
MAX_MLPS_LEVEL = 3  # M.18: 等保三级及以下
# Who reads projects at all: their units, the city bodies that decide on them, the districts'
# cloud bodies. Vendors and the procurement centre work on contracts, not on units' systems.
READERS = frozenset({UNIT, "bdc", "eitc", "authority", "admin", "district.authority", "district.operator",
                     "district.finance"})


def organisation_id(session: Session, actor: Actor) -> int | None:
    user = accounts_service.get_user(session, actor.user_id) if actor.user_id is not None else None
    return user.organisation_id if user is not None else None


def _unit_only(actor: Actor) -> bool:
    """A user whose only reason to see projects is being a unit: they see their organisation's."""
    others = actor.roles - {UNIT}
    return not actor.is_system and UNIT in actor.roles and not others


def visible(session: Session, actor: Actor, *criteria: Any):
    stmt = scoped(actor, Project, *criteria)
    if not actor.has_any(READERS):
        return stmt.where(false())
    if _unit_only(actor):
        stmt = stmt.where(Project.organisation_id == organisation_id(session, actor))
    return stmt


def list_projects(session: Session, actor: Actor, *, status: str | None = None,
                  tenant_id: str | None = None) -> list[Project]:
    stmt = visible(session, actor)
    if status:
        stmt = stmt.where(Project.status == status)
    if tenant_id:
        stmt = stmt.where(Project.tenant_id == tenant_id)
    return list(session.scalars(stmt.order_by(Project.tenant_id, Project.id.desc())))


def get_project(session: Session, actor: Actor, project_id: int) -> Project:
    """The project if the actor may see it; 404 when absent, in another tenant or another unit's."""
    project = session.scalar(visible(session, actor, Project.id == project_id))
    if project is None:
        raise NotFound(_("No such project."), code="not_found")
    return project


def require_owner(session: Session, actor: Actor, project: Project) -> None:
    """Applications for a project come from its own unit (M.18–M.24: 使用单位提交申请)."""
    require_role(actor, UNIT)
    if project.organisation_id != organisation_id(session, actor):
        raise Forbidden(_("Only the unit that owns the project may apply for it."))


# -- registering --------------------------------------------------------------------------------
def create(session: Session, actor: Actor, *, name: str, description: str = "", mlps_level: int,
           classified: bool = False, periodic: bool = False, periodic_load: str = "", key_work: bool = False,
           special_meeting: str = "", quotas: list[dict[str, Any]], today: date) -> Project:
    """A unit registers a new information system with its quota application (M.18)."""
    require_role(actor, UNIT)
    org_id = organisation_id(session, actor)
    if org_id is None:
        raise Forbidden(_("Only a user of a unit may apply for a project quota."))
    _check_m18(mlps_level=mlps_level, classified=classified, periodic=periodic, periodic_load=periodic_load)
    items = catalog_service.items_in_force(session, actor.tenant_id, today)
    project = Project(tenant_id=actor.tenant_id, code="", name=name.strip(), description=description or "",
                      organisation_id=org_id, status=APPLYING, mlps_level=mlps_level,
                      periodic_load=(periodic_load or "").strip() if periodic else "", key_work=key_work,
                      special_meeting=(special_meeting or "").strip(), applied_by=actor.username)
    project.quotas = _quota_rows(actor.tenant_id, quotas, items, periodic)
    session.add(project)
    session.flush()
    project.code = f"XM-{today.year}-{project.id:05d}"
    session.flush()
    return project


def _check_m18(*, mlps_level: int, classified: bool, periodic: bool, periodic_load: str) -> None:
    if classified or not 1 <= mlps_level <= MAX_MLPS_LEVEL:
        # M.18: only new non-classified systems of MLPS level 3 or below apply here.
        raise ValidationFailed(
            _("Only new non-classified information systems of MLPS level 3 or below apply for a cloud "
              "quota (Article 18)."), fields={"mlps_level": [str(mlps_level)], "classified": [str(classified)]},
            code="rule_m18")
    if periodic and not (periodic_load or "").strip():
        # M.18: a periodic load is declared when applying.
        raise ValidationFailed(_("A periodic business load must be declared in the application (Article 18)."),
                               fields={"periodic_load": [_("Describe the periods and the peak.")]},
                               code="rule_m18")


def _quota_rows(tenant_id: str, quotas: list[dict[str, Any]], items: dict, periodic: bool) -> list[ProjectQuota]:
    if not quotas:
        raise ValidationFailed(_("Apply for at least one catalogue item."), fields={"quotas": [_("Required.")]})
    rows, problems, seen = [], {}, set()
    for index, line in enumerate(quotas):
        item = items.get(line["item_code"])
        quantity = Decimal(line["quantity"])
        peak = line.get("peak_quantity")
        if item is None:
            problems[f"quotas.{index}.item_code"] = [_("Not an item of the catalogue in force.")]
        elif line["item_code"] in seen:
            problems[f"quotas.{index}.item_code"] = [_("This item is listed twice.")]
        elif quantity <= 0:
            problems[f"quotas.{index}.quantity"] = [_("Enter a quantity above zero.")]
        elif peak is not None and (not periodic or Decimal(peak) < quantity):
            problems[f"quotas.{index}.peak_quantity"] = [
                _("A peak quota is for a periodic load and is at least the normal quota.")]
        else:
            rows.append(ProjectQuota(tenant_id=tenant_id, item_code=item.code, item_name=item.name,
                                     pricing_unit=item.pricing_unit, quantity=quantity,
                                     peak_quantity=Decimal(peak) if peak is not None else None))
        seen.add(line["item_code"])
    if problems:
        raise ValidationFailed(_("Some quota lines are invalid."), fields=problems)
    return rows


# -- process steps (system: the diagram decided, the tenant is the instance's) --------------------
def for_step(session: Session, project_id: int, tenant_id: str) -> Project:
    project = session.scalar(all_tenants(select(Project).where(Project.id == project_id,
                                                               Project.tenant_id == tenant_id)))
    if project is None:
        raise NotFound(f"project {project_id} not found in {tenant_id}")
    return project


def approve_quota(session: Session, project: Project, *, by: str, now: datetime) -> Project:
    """M.18: eitc approved the quota and notifies the operator (bdc) of it, periodic quota included."""
    if project.status != APPLYING:
        raise Conflict(f"project {project.code} is {project.status}")
    project.status, project.approved_at, project.approved_by, project.notified_at = APPROVED, now, by, now
    session.flush()
    return project


def reject_quota(session: Session, project: Project) -> Project:
    if project.status != APPLYING:
        raise Conflict(f"project {project.code} is {project.status}")
    project.status = REJECTED
    session.flush()
    return project


def count_by_status(session: Session, actor: Actor) -> dict[str, int]:
    stmt = visible(session, actor).with_only_columns(Project.status, func.count()).group_by(Project.status)
    return dict(session.execute(stmt).all())
