"""Process steps on applications and allocations, called by ``app.resources.handlers``.

The diagram has decided (its user tasks say who may decide); these functions carry the decision
out. They are system operations bounded by the instance's tenant: an application is looked up
in that tenant only, so no instance can touch another district's rows.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.calendar import service as calendar_service
from app.calendar.rules import SHANGHAI, end_of, local_date
from app.errors import Conflict, NotFound
from app.onboarding import service as onboarding_service
from app.projects import service as projects_service
from app.resources import rules
from app.resources.models import (
    DECLINED,
    DONE,
    EXPANDING,
    EXTENSION,
    FORMAL,
    OPEN,
    PENDING,
    RECLAIMED,
    RECLAIMING,
    REJECTED,
    REQUESTED,
    TEST,
    Allocation,
    Application,
)
from app.resources.queries import allocation_number, log_event
from app.security import all_tenants

# DESIGN §2.5: the unit hears of the expiry early enough to still ask for an extension (≥ 15 WD, M.23–24).
NOTICE_WORKDAYS = 20
BACKUP_REMINDER_WORKDAYS = 5  # M.26: backup and migration before expiry
REMINDER_HOUR = time(9)


def for_step(session: Session, application_id: int, tenant_id: str, *, pending: bool = True) -> Application:
    application = session.scalar(all_tenants(select(Application).where(
        Application.id == application_id, Application.tenant_id == tenant_id)))
    if application is None:
        raise NotFound(f"application {application_id} not found in {tenant_id}")
    if pending and application.status != PENDING:
        raise Conflict(f"application {application.number} is {application.status}")
    return application


def allocations(session: Session, application: Application, *, kind: str | None = None) -> list[Allocation]:
    """The allocations an application concerns: those it created, or those its lines name."""
    ids = [line.allocation_id for line in application.lines if line.allocation_id is not None]
    stmt = all_tenants(select(Allocation).where(Allocation.tenant_id == application.tenant_id))
    # Expansions, reclaims and extensions name existing allocations; other applications created theirs.
    stmt = stmt.where(Allocation.id.in_(ids) if ids else Allocation.application_id == application.id)
    if kind:
        stmt = stmt.where(Allocation.kind == kind)
    return list(session.scalars(stmt.order_by(Allocation.id)))


def _finish(application: Application, status: str, *, by: str, now: datetime, note: str = "") -> None:
    application.status, application.decided_at, application.decided_by = status, now, by
    application.decision_note = note or application.decision_note


def _at(day: date, moment: time = REMINDER_HOUR) -> datetime:
    return datetime.combine(day, moment, tzinfo=SHANGHAI)


# -- M.18: quota ------------------------------------------------------------------------------------
def approve_quota(session: Session, application: Application, *, by: str, now: datetime) -> None:
    project = projects_service.for_step(session, application.project_id, application.tenant_id)
    projects_service.approve_quota(session, project, by=by, now=now)
    log_event(session, None, by, "quota_approved", application=application, at=now,
              note="配额已核定并通知市大数据中心（第十八条）")


def reject(session: Session, application: Application, *, by: str, now: datetime, note: str = "") -> None:
    """Any refusal: requested allocations are refused, expanding or reclaiming ones are open again."""
    if application.kind == "quota":
        project = projects_service.for_step(session, application.project_id, application.tenant_id)
        if project.status == "applying":
            projects_service.reject_quota(session, project)
    for allocation in allocations(session, application):
        if allocation.state == REQUESTED:
            allocation.state = REJECTED
        elif allocation.state in (EXPANDING, RECLAIMING):
            allocation.state = OPEN
        else:
            continue
        allocation.updated_at = now
        log_event(session, allocation, by, "rejected", application=application, at=now, note=note)
    _finish(application, DECLINED, by=by, now=now, note=note)
    log_event(session, None, by, "rejected", application=application, at=now, note=note)
    session.flush()


# -- M.19: test and formal resources -------------------------------------------------------------------
def request_test(session: Session, application: Application, *, by: str, now: datetime) -> None:
    """M.19: the test resources follow the project quota (根据项目配额情况)."""
    project = projects_service.for_step(session, application.project_id, application.tenant_id)
    for quota in project.quotas:
        allocation = Allocation(tenant_id=project.tenant_id, number="", project_id=project.id,
                                application_id=application.id, item_code=quota.item_code, item_name=quota.item_name,
                                pricing_unit=quota.pricing_unit, kind=TEST, quantity=quota.quantity,
                                state=REQUESTED, created_at=now, updated_at=now)
        session.add(allocation)
        session.flush()
        allocation.number = allocation_number(allocation)
        log_event(session, allocation, by, "requested", application=application, at=now)
    session.flush()


def open_test(session: Session, application: Application, *, by: str, now: datetime) -> dict[str, Any]:
    """M.19: test resources open; the unit verifies within one month (arts. 201–203), reminded
    five working days before the end."""
    calendar = calendar_service.calendar(session)
    today = local_date(now)
    for allocation in allocations(session, application, kind=TEST):
        allocation.state, allocation.starts_on, allocation.updated_at = OPEN, today, now
        log_event(session, allocation, by, "opened", application=application, at=now)
    last_day = calendar.add_months(today, rules.VERIFY_MONTHS).day
    remind_day = calendar.add_workdays(last_day, -BACKUP_REMINDER_WORKDAYS).day
    session.flush()
    return {"verify_due": end_of(last_day).isoformat(), "verify_last_day": last_day.isoformat(),
            "verify_remind_at": _at(max(remind_day, today)).isoformat()}


def record_verified(session: Session, application: Application, *, by: str, now: datetime) -> None:
    """M.19: the unit's notice that verification passed starts the operator's two working days."""
    log_event(session, None, by, "verified", application=application, at=now)
    session.flush()


def withdraw_test(session: Session, application: Application, *, by: str, now: datetime) -> None:
    """The unit gave up after testing: the test resources go back (M.21)."""
    for allocation in allocations(session, application, kind=TEST):
        allocation.state, allocation.updated_at = RECLAIMED, now
        log_event(session, allocation, by, "reclaimed", application=application, at=now)
    _finish(application, DONE, by=by, now=now, note="测试后放弃，测试资源已回收")
    session.flush()


def open_formal(session: Session, application: Application, *, by: str, now: datetime) -> None:
    """M.19: formal opening turns the verified test resources into formal ones."""
    onboarding_service.require_complete(session, application.project_id, application.tenant_id)  # M.30
    for allocation in allocations(session, application, kind=TEST):
        if allocation.state != OPEN:
            continue
        allocation.kind, allocation.starts_on, allocation.updated_at = FORMAL, local_date(now), now
        log_event(session, allocation, by, "formal_opened", application=application, at=now)
    _finish(application, DONE, by=by, now=now)
    session.flush()


# -- M.20, M.21: expansion and reclaim -----------------------------------------------------------------
def expand(session: Session, application: Application, *, by: str, now: datetime) -> None:
    for line in application.lines:
        allocation = session.scalar(all_tenants(select(Allocation).where(
            Allocation.id == line.allocation_id, Allocation.tenant_id == application.tenant_id)))
        before = allocation.quantity
        allocation.quantity, allocation.state, allocation.updated_at = before + line.quantity, OPEN, now
        log_event(session, allocation, by, "expanded", application=application, at=now, quantity_before=before)
    _finish(application, DONE, by=by, now=now)
    session.flush()


def reclaim(session: Session, application: Application, *, by: str, now: datetime) -> None:
    for allocation in allocations(session, application):
        if allocation.state in (RECLAIMED, REJECTED):
            continue
        allocation.state, allocation.updated_at = RECLAIMED, now
        log_event(session, allocation, by, "reclaimed", application=application, at=now)
    _finish(application, DONE, by=by, now=now)
    session.flush()


# -- M.21–M.24, M.26: special resources ---------------------------------------------------------------
def open_special(session: Session, application: Application, *, by: str, now: datetime) -> dict[str, Any]:
    """Allocation day = today; the requested expiry still holds against the term (it was checked
    from the request day, which is no later)."""
    calendar = calendar_service.calendar(session)
    today = local_date(now)
    expires_on = application.requested_expiry
    if expires_on > rules.latest_expiry(calendar, application.kind, today):  # M.22–M.24, re-checked
        rules.check_term(calendar, application.kind, today, expires_on)
    granted = {line.allocation_id: line.granted for line in application.lines}
    for allocation in allocations(session, application):
        before = allocation.quantity
        allocation.quantity = granted.get(allocation.id, before)  # M.24: eitc may have set the quota
        allocation.state, allocation.starts_on, allocation.expires_on = OPEN, today, expires_on
        allocation.updated_at = now
        log_event(session, allocation, by, "opened", application=application, at=now, quantity_before=before)
    session.flush()
    return expiry_timers(session, expires_on, now)


def expiry_timers(session: Session, expires_on: date, now: datetime) -> dict[str, Any]:
    """When the process notifies (M.21), reminds of backup (M.26) and reclaims: at 24:00 of the
    last day of use (art. 203). A moment already past fires at once."""
    calendar = calendar_service.calendar(session)
    notice_day = calendar.add_workdays(expires_on, -NOTICE_WORKDAYS).day
    backup_day = calendar.add_workdays(expires_on, -BACKUP_REMINDER_WORKDAYS).day
    return {"expires_on": expires_on.isoformat(), "expires_at": end_of(expires_on).isoformat(),
            "notice_at": _at(notice_day).isoformat(), "backup_at": _at(backup_day).isoformat()}


def notify_expiry(session: Session, application: Application, *, by: str, now: datetime) -> None:
    """M.21: the operator tells the unit in advance that its resources expire."""
    for allocation in allocations(session, application):
        if allocation.state == OPEN:
            log_event(session, allocation, by, "expiry_notice", application=application, at=now,
                      note=f"将于{allocation.expires_on}到期；如需延期，请至少提前十五个工作日申请（第二十一条、第二十三条）")
    session.flush()


def remind_backup(session: Session, application: Application, *, by: str, now: datetime) -> None:
    """M.26: back up and migrate data before special resources expire."""
    for allocation in allocations(session, application):
        if allocation.state == OPEN:
            log_event(session, allocation, by, "backup_reminder", application=application, at=now,
                      note="请在到期前做好数据备份迁移工作（第二十六条）")
    session.flush()


def start_expiry_reclaim(session: Session, application: Application, *, by: str, now: datetime) -> dict[str, Any]:
    """M.21: expired resources await reclaim; those the unit already returned need nothing."""
    expired = [a for a in allocations(session, application) if a.state == OPEN]
    for allocation in expired:
        allocation.state, allocation.updated_at = RECLAIMING, now
        log_event(session, allocation, by, "expired", application=application, at=now)
    session.flush()
    return {"reclaim_needed": bool(expired)}


def decide_extension(session: Session, origin: Application, *, extension_id: int, approved: bool, by: str,
                     now: datetime, note: str = "") -> dict[str, Any]:
    """M.23, M.24: eitc and the authority both agreed (or not). Returns the expiry timers to use next."""
    extension = for_step(session, extension_id, origin.tenant_id)
    if extension.kind != EXTENSION:
        raise Conflict(f"application {extension.number} is not an extension")
    expires_on = None
    for allocation in allocations(session, extension):
        expires_on = allocation.expires_on
        if approved and allocation.state == OPEN:
            before = allocation.expires_on
            allocation.expires_on, allocation.updated_at = extension.requested_expiry, now
            expires_on = allocation.expires_on
            log_event(session, allocation, by, "extended", application=extension, at=now, expires_before=before)
        elif not approved:
            log_event(session, allocation, by, "extension_refused", application=extension, at=now, note=note)
    _finish(extension, DONE if approved else DECLINED, by=by, now=now, note=note)
    session.flush()
    return expiry_timers(session, expires_on or origin.requested_expiry, now)


def finish(session: Session, application: Application, *, by: str, now: datetime) -> None:
    _finish(application, DONE, by=by, now=now)
    session.flush()


# -- deadlines -------------------------------------------------------------------------------------------
def escalate(session: Session, application: Application, *, step: str, by: str, now: datetime) -> None:
    """DESIGN §2: a missed deadline is shown and escalated, never dropped. The step stays open."""
    application.escalated_at = application.escalated_at or now
    application.escalation = step[:200]
    log_event(session, None, by, "escalated", application=application, at=now, note=step)
    session.flush()


def remind(session: Session, application: Application, *, what: str, by: str, now: datetime) -> None:
    log_event(session, None, by, "reminder", application=application, at=now, note=what)
    session.flush()

