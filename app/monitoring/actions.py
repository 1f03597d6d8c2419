"""The steps of ``idle_warning`` (M.25, M.26), called by ``app.monitoring.handlers``.

The diagram decided who may act (its user tasks name the roles); these functions carry the step
out on the finding, bounded by the instance's tenant, and write the finding's history. Reclaim goes
through the resources domain: its reclaim application and its reclaim step, not a copy of them.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.calendar import service as calendar_service
from app.calendar.rules import local_date
from app.errors import Conflict, NotFound
from app.monitoring import detection
from app.monitoring.models import (
    CHECKING,
    CLOSED,
    CONSENT,
    DISMISSED,
    KEPT,
    RECLAIMED,
    RECLAIMING,
    RECTIFIED,
    WARNED,
    DetectionRule,
    Finding,
    FindingEvent,
    UtilisationDaily,
)
from app.resources import actions as resource_actions
from app.resources import service as resource_service
from app.resources.models import OPEN, Allocation, Application
from app.resources.queries import log_event
from app.security import Actor, all_tenants


def for_step(session: Session, finding_id: int, tenant_id: str) -> Finding:
    finding = session.scalar(all_tenants(select(Finding).where(Finding.id == finding_id,
                                                               Finding.tenant_id == tenant_id)))
    if finding is None:
        raise NotFound(f"finding {finding_id} not found in {tenant_id}")
    if finding.status in CLOSED:
        raise Conflict(f"finding {finding.number} is {finding.status}")
    return finding


def _record(session: Session, finding: Finding, status: str, kind: str, *, by: str, now: datetime,
            note: str = "") -> None:
    finding.status = status
    if status in CLOSED:
        finding.open_key, finding.closed_at = None, now
    session.add(FindingEvent(tenant_id=finding.tenant_id, finding_id=finding.id, at=now, actor=by, kind=kind,
                             status_after=status, note=note))
    session.flush()


def dismiss(session: Session, finding: Finding, *, by: str, now: datetime, reason: str) -> None:
    """M.25: the authority reviewed and found no misuse; the reason stays on record."""
    _record(session, finding, DISMISSED, "dismissed", by=by, now=now, note=reason)


def warn(session: Session, finding: Finding, *, by: str, now: datetime, workdays: int,
         note: str = "") -> dict[str, Any]:
    """M.25: warning and rectification order; the deadline counts working days from today
    (the diagram's ``workdays(rectify_workdays, warned_on)`` computes the same moment)."""
    today = local_date(now)
    due = calendar_service.calendar(session).workdays(workdays, today, now=now).value
    finding.warned_on, finding.rectify_due = today, due
    order = f"责令整改，期限 {workdays} 个工作日，至 {local_date(due)}（第二十五条）"
    _record(session, finding, WARNED, "warned", by=by, now=now, note=order + (f"；{note}" if note else ""))
    return {"warned_on": today.isoformat(), "rectify_due": due.isoformat()}


def respond(session: Session, finding: Finding, *, by: str, now: datetime, response: str, note: str) -> dict[str, Any]:
    """The unit answers: rectified (with its evidence) or an objection. bdc checks next."""
    finding.response, finding.response_note = response, note
    _record(session, finding, CHECKING, response, by=by, now=now, note=note)
    return figures_since_warning(session, finding, now=now)


def ignored(session: Session, finding: Finding, *, by: str, now: datetime) -> dict[str, Any]:
    """The deadline passed without an answer: the authority is asked to consent to reclaim."""
    finding.response = "ignored"
    _record(session, finding, CONSENT, "deadline_missed", by=by, now=now,
            note=f"整改期限 {local_date(finding.rectify_due)} 已过，使用单位未答复")
    return figures_since_warning(session, finding, now=now)


def record_check(session: Session, finding: Finding, *, by: str, now: datetime, rectified: bool,
                 note: str) -> None:
    """bdc read the next period's utilisation: rectified closes the case, otherwise consent is asked."""
    finding.check_figures = {**(finding.check_figures or {}), "decision": "rectified" if rectified else "not_rectified",
                     "by": by, "note": note}
    _record(session, finding, RECTIFIED if rectified else CONSENT, "checked", by=by, now=now,
            note=("整改到位" if rectified else "整改未到位") + (f"：{note}" if note else ""))


def keep(session: Session, finding: Finding, *, by: str, now: datetime, note: str) -> None:
    """The authority withholds consent: the resources stay."""
    _record(session, finding, KEPT, "consent_withheld", by=by, now=now, note=note)


def remind_backup(session: Session, finding: Finding, *, by: str, now: datetime, note: str = "") -> dict[str, Any]:
    """M.25: with the authority's consent, allocation stops (the resources become ``reclaiming``,
    no longer expandable) through a reclaim application of the resources domain; M.26: the unit is
    reminded to back up and migrate its data before the reclaim."""
    project = finding.project
    held = list(session.scalars(all_tenants(select(Allocation).where(
        Allocation.project_id == project.id, Allocation.tenant_id == finding.tenant_id, Allocation.state == OPEN))
        .order_by(Allocation.id)))
    actor = Actor(user_id=None, username=by, tenant_id=finding.tenant_id, roles=frozenset({"bdc"}))
    application = resource_service.reclaim_application(
        session, actor, project, held, reason=f"闲置预警 {finding.number} 经主管部门同意回收（第二十五条）",
        today=local_date(now))
    application.instance_id = finding.instance_id
    finding.reclaim_application_id = application.id
    reminder = "主管部门已同意回收：请在回收前做好数据备份迁移工作（第二十六条）"
    log_event(session, None, by, "backup_reminder", application=application, at=now, note=reminder)
    _record(session, finding, RECLAIMING, "backup_reminder", by=by, now=now,
            note=reminder + (f"；{note}" if note else ""))
    return {"reclaim_application_id": application.id, "reclaim_application_no": application.number,
            "reclaim_summary": resource_service.summary(application) or "无在用资源"}


def reclaim(session: Session, finding: Finding, *, by: str, now: datetime, note: str = "") -> None:
    """bdc reclaims through the resources domain's reclaim step (the same one ``resource_reclaim`` runs)."""
    application = session.scalar(all_tenants(select(Application).where(
        Application.id == finding.reclaim_application_id, Application.tenant_id == finding.tenant_id)))
    resource_actions.reclaim(session, application, by=by, now=now)
    _record(session, finding, RECLAIMED, "reclaimed", by=by, now=now,
            note=f"已回收（{application.number}）" + (f"：{note}" if note else ""))


# -- the next period's figures ------------------------------------------------------------------------------
def figures_since_warning(session: Session, finding: Finding, *, now: datetime) -> dict[str, Any]:
    """The system's utilisation from the warning day up to yesterday, for bdc's check (and stored)."""
    start, end = finding.warned_on or finding.detected_on, local_date(now) - timedelta(days=1)
    rule = session.get(DetectionRule, finding.rule_key)
    figures = period_figures(session, finding.project_id, finding.tenant_id, start, end, rule)
    finding.check_figures = {"from": start.isoformat(), "to": end.isoformat(), **figures}
    session.flush()
    return {f"check_{key}": value for key, value in finding.check_figures.items()}


def period_figures(session: Session, project_id: int, tenant_id: str, start: date, end: date,
                   rule: DetectionRule | None) -> dict[str, Any]:
    daily = UtilisationDaily.__table__
    business = daily.c.requests + daily.c.logins + daily.c.api_calls
    matched = func.sum(case((detection.day_matches(rule, daily)[1], 1), else_=0)) if rule is not None else func.sum(0)
    row = session.execute(all_tenants(select(
        func.count(), func.avg(daily.c.cpu_avg), func.max(daily.c.cpu_max), func.avg(daily.c.network_io_mb),
        func.coalesce(func.sum(business), 0), func.coalesce(matched, 0)).where(
        daily.c.project_id == project_id, daily.c.tenant_id == tenant_id, daily.c.day.between(start, end)))).one()
    days, cpu, peak, network, traffic, low = row
    return {"days": int(days), "cpu_avg": _fmt(cpu, 2), "cpu_peak": _fmt(peak, 2), "network_mb_avg": _fmt(network, 3),
            "business_total": int(traffic or 0), "days_matching_rule": int(low or 0)}


def _fmt(value: Any, places: int) -> str:
    return "—" if value is None else f"{float(value):.{places}f}"
