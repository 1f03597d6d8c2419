"""M.30 go-live security: before a system (project) goes live the unit completes the security resource
request, self-check, assessment and hardening — each a checklist with evidence — and signs the
security commitment (上云安全承诺书) generated from the project's data. Formal opening of the
project's resources (M.19) is refused until this is complete: :func:`require_complete`.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.attachments import service as attachments_service
from app.errors import Conflict, NotFound, ValidationFailed
from app.onboarding import common
from app.onboarding.models import COMPLETE, IN_PROGRESS, REFUSED, GoLiveCheck, GoLiveStep
from app.projects import service as projects_service
from app.projects.models import REJECTED, Project
from app.security import Actor, all_tenants, scoped

PROCESS = "golive_security"
# M.30: 安全资源申请、安全自查、检测评估、安全加固 — each a checklist the form shows item by item.
CHECKLISTS: dict[str, tuple[str, ...]] = {
    "resource_request": ("waf", "host_security", "db_audit", "bastion"),
    "self_check": ("accounts", "patches", "ports", "data_backup"),
    "assessment": ("vulnerability_scan", "penetration_test", "mlps_assessment"),
    "hardening": ("fixes_applied", "retest_passed", "config_baseline"),
}
STAGE_OF_TASK = {"Task_ResourceRequest": "resource_request", "Task_SelfCheck": "self_check",
                 "Task_Assessment": "assessment", "Task_Hardening": "hardening"}
STAGE_LABELS = {"resource_request": "安全资源申请", "self_check": "安全自查", "assessment": "检测评估",
                "hardening": "安全加固"}


def start(session: Session, actor: Actor, project_id: int, *, today: date) -> GoLiveCheck:
    """The project's unit starts its go-live security steps; one at a time per project."""
    project = projects_service.get_project(session, actor, project_id)
    projects_service.require_owner(session, actor, project)
    if project.status == REJECTED:
        raise Conflict(_("The project's quota application was rejected."), code="project_rejected")
    current = session.scalar(scoped(actor, GoLiveCheck, GoLiveCheck.project_id == project.id,
                                    GoLiveCheck.status.in_((IN_PROGRESS, COMPLETE))))
    if current is not None:
        raise Conflict(_("Go-live security of this project is already %(state)s (%(no)s).",
                         state=current.status, no=current.number), code="golive_exists")
    check = GoLiveCheck(tenant_id=project.tenant_id, number="", project_id=project.id, requested_by=actor.username)
    check.project = project
    common.number(session, check, "SX", today)
    common.start(session, actor, check, PROCESS, project_id=project.id, project_code=project.code,
                 project_name=project.name, unit_name=project.organisation.name, mlps_level=project.mlps_level,
                 returned_note="")
    return check


def _visible(session: Session, actor: Actor, *criteria: Any):
    """Checks of projects the actor may see (a unit: its own organisation's)."""
    projects = projects_service.visible(session, actor).with_only_columns(Project.id)
    return scoped(actor, GoLiveCheck, GoLiveCheck.project_id.in_(projects.scalar_subquery()), *criteria)


def list_checks(session: Session, actor: Actor, *, project_id: int | None = None) -> list[GoLiveCheck]:
    stmt = _visible(session, actor)
    if project_id is not None:
        stmt = stmt.where(GoLiveCheck.project_id == project_id)
    return list(session.scalars(stmt.order_by(GoLiveCheck.id.desc())))


def get(session: Session, actor: Actor, check_id: int) -> GoLiveCheck:
    check = session.scalar(_visible(session, actor, GoLiveCheck.id == check_id))
    if check is None:
        raise NotFound(_("No such go-live security check."), code="not_found")
    return check


# -- the rule the resource chain asks ------------------------------------------------------------------
def is_complete(session: Session, project_id: int, tenant_id: str) -> bool:
    return session.scalar(all_tenants(select(GoLiveCheck.id).where(
        GoLiveCheck.project_id == project_id, GoLiveCheck.tenant_id == tenant_id,
        GoLiveCheck.status == COMPLETE)).limit(1)) is not None


def require_complete(session: Session, project_id: int, tenant_id: str) -> None:
    """M.30: 在信息系统正式上线前 — no formal opening before the security steps and the signed commitment."""
    if not is_complete(session, project_id, tenant_id):
        raise Conflict(_("Formal opening is refused: the system's go-live security steps (security resource "
                         "request, self-check, assessment, hardening) and the signed security commitment are "
                         "not complete (Article 30)."), code="golive_security_incomplete")


# -- checks before a step is completed (task guards) --------------------------------------------------
def check_stage(session: Session, actor: Actor, stage: str, data: dict[str, Any]) -> None:
    """Every item of the stage's checklist ticked, and at least one evidence attachment the actor may see."""
    ticked = set(data.get(f"{stage}_items") or [])
    missing = [item for item in CHECKLISTS[stage] if item not in ticked]
    if missing:
        raise ValidationFailed(_("Some fields are invalid."), fields={
            f"{stage}_items": [_("Every item must be done before going live: %(items)s.", items=", ".join(missing))]})
    attachments_service.require_attachments(session, actor, data.get(f"{stage}_evidence"),
                                            field=f"{stage}_evidence", at_least=1)


def check_review(data: dict[str, Any]) -> None:
    """bdc says why when it returns or refuses the evidence."""
    if data.get("review_decision") in ("return", "refuse") and not str(data.get("review_comment") or "").strip():
        raise ValidationFailed(_("Some fields are invalid."), fields={"review_comment": [_("Give the reason.")]})


# -- process steps ---------------------------------------------------------------------------------------
def record_stage(session: Session, check: GoLiveCheck, stage: str, data: dict[str, Any], *, by: str,
                 now: datetime) -> None:
    step = GoLiveStep(tenant_id=check.tenant_id, stage=stage, checklist=list(data.get(f"{stage}_items") or []),
                      attachment_ids=attachments_service.parse_ids(data.get(f"{stage}_evidence")),
                      note=str(data.get(f"{stage}_note") or "")[:2000], done_by=by, done_at=now)
    check.steps.append(step)
    session.flush()


def latest_steps(check: GoLiveCheck) -> dict[str, GoLiveStep]:
    return {step.stage: step for step in check.steps}  # ordered by id: a redone stage replaces the earlier


def prepare_commitment(session: Session, check: GoLiveCheck, *, now: datetime) -> dict[str, Any]:
    """M.30 上云安全承诺书: generated from the project's data and the recorded steps; its hash binds the
    confirmation to exactly this text."""
    from app.onboarding.commitment import commitment_text

    steps = latest_steps(check)
    if set(steps) != set(CHECKLISTS):
        raise Conflict(f"go-live check {check.number} lacks steps: {sorted(set(CHECKLISTS) - set(steps))}")
    text = commitment_text(check, steps, now)
    check.commitment_text, check.commitment_sha256 = text, hashlib.sha256(text.encode()).hexdigest()
    session.flush()
    return {"commitment_text": text, "commitment_sha256": check.commitment_sha256}


def sign(session: Session, check: GoLiveCheck, *, by: str, now: datetime) -> None:
    check.signed_by, check.signed_at = by, now
    check.status, check.completed_at = COMPLETE, now
    session.flush()


def send_back(session: Session, check: GoLiveCheck, *, note: str) -> None:
    check.review_note = note
    session.flush()


def refuse(session: Session, check: GoLiveCheck, *, note: str, now: datetime) -> None:
    check.status, check.review_note, check.completed_at = REFUSED, note, now
    session.flush()
