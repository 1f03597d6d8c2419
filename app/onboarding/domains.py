"""M.11 dedicated domains (政务云专有域): the using unit's construction and management plan is reviewed
by the authority and eitc (both must approve; either may return it for changes); once approved, the
domain — with its responsibility split between the unit, bdc and the vendor — holds resources placed in it.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import false, select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation
from app.attachments import service as attachments_service
from app.errors import Conflict, NotFound, ValidationFailed
from app.onboarding import common
from app.onboarding.models import APPROVED, RETURNED, REVIEWING, WITHDRAWN, DedicatedDomain, DomainPlacement
from app.projects import service as projects_service
from app.resources import queries as resources_queries
from app.resources.models import ACTIVE_STATES
from app.security import Actor, require_role, scoped

PROCESS = "dedicated_domain"
READERS = frozenset({"unit", "authority", "eitc", "bdc", "admin", "district.authority", "district.operator"})
DUTIES = ("unit_duties", "bdc_duties", "vendor_duties")


def _plan(session: Session, actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    problems = {k: [_("Required.")] for k in ("name", "plan_summary", *DUTIES) if not str(values.get(k) or "").strip()}
    if problems:
        raise ValidationFailed(_("Some fields are invalid."), fields=problems)
    attachments = attachments_service.require_attachments(session, actor, values.get("plan_attachments"),
                                                          field="plan_attachments", at_least=1)
    vendor_id = values.get("vendor_id")
    if vendor_id is not None and session.scalar(select(Organisation.id).where(
            Organisation.id == vendor_id, Organisation.kind == "vendor")) is None:
        raise ValidationFailed(_("Some fields are invalid."), fields={"vendor_id": [_("Not a cloud vendor.")]})
    return {"name": str(values["name"]).strip()[:200], "plan_summary": str(values["plan_summary"]).strip(),
            "plan_attachment_ids": [a.id for a in attachments], "vendor_id": vendor_id,
            **{k: str(values[k]).strip() for k in DUTIES}}


def submit(session: Session, actor: Actor, *, today: date, **values: Any) -> DedicatedDomain:
    """M.11: 使用单位编制建设管理方案，报市政务云主管部门、市经济信息化主管部门审核."""
    require_role(actor, "unit")
    organisation_id = projects_service.organisation_id(session, actor)
    plan = _plan(session, actor, values)
    domain = DedicatedDomain(tenant_id=actor.tenant_id, number="", organisation_id=organisation_id,
                             requested_by=actor.username, status=REVIEWING, **plan)
    common.number(session, domain, "ZY", today)
    common.start(session, actor, domain, PROCESS, domain_name=domain.name, plan_summary=domain.plan_summary,
                 plan_attachments=", ".join(map(str, domain.plan_attachment_ids)),
                 unit_name=session.get(Organisation, organisation_id).name,
                 **{k: getattr(domain, k) for k in DUTIES})
    return domain


def visible(session: Session, actor: Actor, *criteria: Any):
    stmt = scoped(actor, DedicatedDomain, *criteria)
    if not actor.has_any(READERS):
        return stmt.where(false())
    if not actor.is_system and actor.roles <= {"unit"}:  # a unit sees its own organisation's domains
        stmt = stmt.where(DedicatedDomain.organisation_id == projects_service.organisation_id(session, actor))
    return stmt


def list_domains(session: Session, actor: Actor, *, status: str | None = None) -> list[DedicatedDomain]:
    stmt = visible(session, actor)
    if status:
        stmt = stmt.where(DedicatedDomain.status == status)
    return list(session.scalars(stmt.order_by(DedicatedDomain.id.desc())))


def get(session: Session, actor: Actor, domain_id: int) -> DedicatedDomain:
    domain = session.scalar(visible(session, actor, DedicatedDomain.id == domain_id))
    if domain is None:
        raise NotFound(_("No such dedicated domain."), code="not_found")
    return domain


def place(session: Session, actor: Actor, domain_id: int, allocation_id: int) -> DomainPlacement:
    """Put one of the unit's active resources into its approved domain (the unit or bdc do it)."""
    require_role(actor, "unit", "bdc")
    domain = get(session, actor, domain_id)
    if domain.status != APPROVED:
        raise Conflict(_("Resources can be placed only in an approved dedicated domain."), code="domain_not_approved")
    allocation = resources_queries.get_allocation(session, actor, allocation_id)
    if allocation.project.organisation_id != domain.organisation_id or allocation.tenant_id != domain.tenant_id:
        raise ValidationFailed(_("Some fields are invalid."), fields={
            "allocation_id": [_("Only resources of the domain's own unit can be placed in it.")]})
    if allocation.state not in ACTIVE_STATES:
        raise Conflict(_("Only active resources can be placed in a domain."), code="not_active")
    if session.scalar(scoped(actor, DomainPlacement, DomainPlacement.allocation_id == allocation.id)) is not None:
        raise Conflict(_("This resource is already placed in a dedicated domain."), code="already_placed")
    placement = DomainPlacement(tenant_id=domain.tenant_id, allocation_id=allocation.id, placed_by=actor.username)
    domain.placements.append(placement)
    session.flush()
    return placement


# -- checks before a task is completed -----------------------------------------------------------
def check_revision(session: Session, actor: Actor, data: dict[str, Any]) -> None:
    if data.get("revise_decision") == "resubmit":
        _plan(session, actor, {"name": "-", **data})


def check_review(data: dict[str, Any], prefix: str) -> None:
    """Returning a plan needs the changes asked for."""
    if data.get(f"{prefix}_decision") == "return" and not str(data.get(f"{prefix}_comment") or "").strip():
        raise ValidationFailed(_("Some fields are invalid."), fields={
            f"{prefix}_comment": [_("Say what must change.")]})


# -- process steps ---------------------------------------------------------------------------------
REVIEWERS = {"authority": "主管部门", "eitc": "经信委"}


def record_review(session: Session, domain: DedicatedDomain, reviewer: str, decision: str, comment: str) -> None:
    setattr(domain, f"{reviewer}_decision", decision)
    if decision == "return":  # in the order the reviewers returned it; a resubmission starts afresh
        domain.review_note = "；".join(n for n in (domain.review_note, f"{REVIEWERS[reviewer]}：{comment}") if n)
    session.flush()


def decide(domain: DedicatedDomain) -> bool:
    """M.11: approved only when both approve; either returning it sends it back."""
    return domain.authority_decision == "approve" and domain.eitc_decision == "approve"


def approve(session: Session, domain: DedicatedDomain, *, now: datetime) -> None:
    domain.status, domain.approved_at = APPROVED, now
    session.flush()


def send_back(session: Session, domain: DedicatedDomain) -> str:
    domain.status = RETURNED
    session.flush()
    return domain.review_note


def resubmit(session: Session, domain: DedicatedDomain, data: dict[str, Any]) -> None:
    domain.plan_summary = str(data.get("plan_summary") or domain.plan_summary)
    domain.plan_attachment_ids = attachments_service.parse_ids(data.get("plan_attachments"))
    for key in DUTIES:
        setattr(domain, key, str(data.get(key) or getattr(domain, key)))
    domain.status, domain.rounds = REVIEWING, domain.rounds + 1
    domain.authority_decision = domain.eitc_decision = domain.review_note = ""
    session.flush()


def withdraw(session: Session, domain: DedicatedDomain) -> None:
    domain.status = WITHDRAWN
    session.flush()
