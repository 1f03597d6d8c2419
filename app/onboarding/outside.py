"""M.7 outside applicants: a body that is not a city party/government unit (a state-owned company,
a social organisation …) applies through its supervising department (业务主管部门) to bdc. Once
accepted it becomes an organisation of kind ``outside`` under that department, handled like any unit;
its bills are its own (M.27), never charged to a district's budget.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import false, select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation
from app.attachments import service as attachments_service
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.onboarding import common
from app.onboarding.models import ACCEPTED, DECLINED, PENDING, REFUSED, OutsideApplication
from app.projects import service as projects_service
from app.security import Actor, require_role, scoped

PROCESS = "outside_applicant"
OUTSIDE = "outside"
READERS = frozenset({"unit", "bdc", "eitc", "authority", "admin", "district.authority", "district.operator"})


def apply(session: Session, actor: Actor, *, body_name: str, body_code: str, body_nature: str, reason: str,
          contact: str = "", attachments: Any = None, today: date) -> OutsideApplication:
    """M.7: 由其业务主管部门向市政务云运行管理单位提出申请 — a member of the supervising department files it."""
    require_role(actor, "unit")
    supervisor = session.get(Organisation, projects_service.organisation_id(session, actor))
    if supervisor is None or supervisor.kind == OUTSIDE:
        raise Forbidden(_("Only a party or government unit can act as a supervising department."))
    problems = {k: [_("Required.")] for k, v in (("body_name", body_name), ("body_code", body_code),
                                                 ("body_nature", body_nature), ("reason", reason)) if not v.strip()}
    if problems:
        raise ValidationFailed(_("Some fields are invalid."), fields=problems)
    if session.scalar(select(Organisation.id).where(Organisation.code == body_code.strip())) is not None:
        raise Conflict(_("An organisation with this code already exists."), code="organisation_exists")
    files = attachments_service.require_attachments(session, actor, attachments, field="attachments")
    application = OutsideApplication(
        tenant_id=supervisor.tenant_id, number="", body_name=body_name.strip()[:200], body_code=body_code.strip()[:64],
        body_nature=body_nature.strip()[:100], reason=reason.strip(), contact=contact.strip()[:200],
        supervisor_id=supervisor.id, attachment_ids=[a.id for a in files], requested_by=actor.username)
    common.number(session, application, "WB", today)
    common.start(session, actor, application, PROCESS, body_name=application.body_name,
                 body_code=application.body_code, body_nature=application.body_nature, reason=application.reason,
                 supervisor_name=supervisor.name, supervisor_id=supervisor.id,
                 attachments=", ".join(map(str, application.attachment_ids)) or "无")
    return application


def visible(session: Session, actor: Actor, *criteria: Any):
    stmt = scoped(actor, OutsideApplication, *criteria)
    if not actor.has_any(READERS):
        return stmt.where(false())
    if not actor.is_system and actor.roles <= {"unit"}:  # the supervising department's own
        stmt = stmt.where(OutsideApplication.supervisor_id == projects_service.organisation_id(session, actor))
    return stmt


def list_applications(session: Session, actor: Actor) -> list[OutsideApplication]:
    return list(session.scalars(visible(session, actor).order_by(OutsideApplication.id.desc())))


def get(session: Session, actor: Actor, application_id: int) -> OutsideApplication:
    application = session.scalar(visible(session, actor, OutsideApplication.id == application_id))
    if application is None:
        raise NotFound(_("No such application."), code="not_found")
    return application


# -- checks before a task is completed -----------------------------------------------------------
def check_endorser(session: Session, actor: Actor, supervisor_id: int) -> None:
    """Only the supervising department itself endorses (M.7)."""
    if projects_service.organisation_id(session, actor) != supervisor_id:
        raise Forbidden(_("Only the supervising department may endorse this application."))


def check_decision(data: dict[str, Any]) -> None:
    """bdc gives its reason when it refuses."""
    if data.get("accept_decision") != "accept" and not str(data.get("accept_comment") or "").strip():
        raise ValidationFailed(_("Some fields are invalid."), fields={"accept_comment": [_("Give the reason.")]})


# -- process steps ---------------------------------------------------------------------------------
def _decide(application: OutsideApplication, status: str, *, by: str, now: datetime, note: str) -> None:
    if application.status != PENDING:
        raise Conflict(f"application {application.number} is {application.status}")
    application.status, application.decided_by, application.decided_at = status, by, now
    application.decision_note = note


def accept(session: Session, application: OutsideApplication, *, by: str, now: datetime, note: str = "") -> None:
    """The body becomes an organisation of kind ``outside`` under its supervising department."""
    _decide(application, ACCEPTED, by=by, now=now, note=note)
    if session.scalar(select(Organisation.id).where(Organisation.code == application.body_code)) is not None:
        raise Conflict(f"organisation {application.body_code} exists already")
    organisation = Organisation(code=application.body_code, name=application.body_name, kind=OUTSIDE,
                                tenant_id=application.tenant_id, parent_id=application.supervisor_id)
    session.add(organisation)
    session.flush()
    application.organisation_id = organisation.id
    session.flush()


def refuse(session: Session, application: OutsideApplication, *, by: str, now: datetime, note: str) -> None:
    _decide(application, REFUSED, by=by, now=now, note=note)
    session.flush()


def decline(session: Session, application: OutsideApplication, *, by: str, now: datetime, note: str) -> None:
    _decide(application, DECLINED, by=by, now=now, note=note)
    session.flush()
