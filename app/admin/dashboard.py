"""The admin dashboard: instances by process and state, incidents, overdue tasks by district,
timers due in the next 24 hours and the health of the scheduler's jobs.

Everything comes from the derived rows (DESIGN §3: dashboards never deserialize workflows).
The chart is drawn on the server as SVG: no chart library, no CDN.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.roles import CITY, DISTRICTS
from app.security import Actor, require_role, scoped
from app.workflow.models import HumanTask, Incident, ProcessDefinition, ProcessInstance, Timer

MONITOR_ROLES = ("admin", "process_owner")
TIMER_WINDOW = timedelta(hours=24)
JOB_WINDOW = timedelta(hours=24)


@dataclass
class Bar:
    label: str
    value: int
    y: int
    width: int


@dataclass
class BarChart:
    """Horizontal bars, laid out here so the template only draws (app/templates/admin/_bars.html)."""

    bars: list[Bar]
    width: int
    height: int
    label_width: int
    max_value: int


def bar_chart(rows: list[tuple[str, int]], *, width: int = 560, row_height: int = 26, label_width: int = 110
              ) -> BarChart:
    top = max((value for _label, value in rows), default=0)
    span = width - label_width - 50  # room for the value printed after the bar
    bars = [Bar(label, value, i * row_height, round(span * value / top) if top else 0)
            for i, (label, value) in enumerate(rows)]
    return BarChart(bars, width, max(row_height, len(rows) * row_height), label_width, top)


@dataclass
class JobHealth:
    name: str
    description: str
    schedule: str
    last_run: Any  # app.jobs.models.JobRun or None
    failures: int  # failed runs in the last 24 hours


@dataclass
class Dashboard:
    now: datetime
    by_process: list[dict[str, Any]]  # {key, name, running, suspended, completed, cancelled, incidents}
    open_incidents: list[Incident]
    incident_count: int
    overdue_by_district: list[tuple[str, int]]
    overdue_chart: BarChart
    timers_due: list[Timer]
    timers_overdue: int
    jobs: list[JobHealth] | None = None  # None: not an admin, or no scheduler installed
    notes: list[str] = field(default_factory=list)


def build(session: Session, actor: Actor) -> Dashboard:
    require_role(actor, *MONITOR_ROLES)
    now = clock.now()
    overdue = _overdue_by_district(session, actor, now)
    incidents = scoped(actor, Incident, Incident.status == "open")
    timers = scoped(actor, Timer, Timer.status == "pending")
    return Dashboard(
        now=now,
        by_process=_by_process(session, actor),
        open_incidents=list(session.scalars(incidents.order_by(Incident.created_at.desc()).limit(10))),
        incident_count=session.scalar(select(func.count()).select_from(incidents.subquery())) or 0,
        overdue_by_district=overdue,
        overdue_chart=bar_chart(overdue),
        timers_due=list(session.scalars(timers.where(Timer.due_at <= now + TIMER_WINDOW)
                                        .order_by(Timer.due_at).limit(50))),
        timers_overdue=session.scalar(select(func.count()).select_from(
            timers.where(Timer.due_at <= now).subquery())) or 0,
        jobs=_jobs(session, actor, now) if actor.has_any(["admin"]) else None,
    )


def _by_process(session: Session, actor: Actor) -> list[dict[str, Any]]:
    names = dict(session.execute(select(ProcessDefinition.key, ProcessDefinition.name)
                                 .order_by(ProcessDefinition.version)).all())
    rows: dict[str, dict[str, Any]] = {}
    base = scoped(actor, ProcessInstance)
    for key, status, count in session.execute(base.with_only_columns(
            ProcessInstance.process_key, ProcessInstance.status, func.count())
            .group_by(ProcessInstance.process_key, ProcessInstance.status)):
        row = rows.setdefault(key, {"key": key, "name": names.get(key, key), "incidents": 0})
        row[status] = count
    for key, count in session.execute(base.with_only_columns(ProcessInstance.process_key, func.count())
                                      .where(ProcessInstance.has_incident)
                                      .group_by(ProcessInstance.process_key)):
        rows.setdefault(key, {"key": key, "name": names.get(key, key), "incidents": 0})["incidents"] = count
    return sorted(rows.values(), key=lambda r: r["key"])


def _overdue_by_district(session: Session, actor: Actor, now: datetime) -> list[tuple[str, int]]:
    """Open tasks past their due time, per tenant, largest first (district names as people read them)."""
    stmt = scoped(actor, HumanTask, HumanTask.status == "open", HumanTask.due_at < now).with_only_columns(
        HumanTask.tenant_id, func.count()).group_by(HumanTask.tenant_id)
    labels = {**DISTRICTS, CITY: _("City")}
    rows = [(labels.get(tenant, tenant), count) for tenant, count in session.execute(stmt)]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def _jobs(session: Session, actor: Actor, now: datetime) -> list[JobHealth] | None:
    # HOOK (scheduler issue): job runs come from app.jobs (JobRun). Without it the dashboard
    # shows timers only; nothing here needs changing once it is installed.
    try:
        from app.jobs import service as jobs_service
        from app.jobs.models import JobRun
    except ImportError:
        return None
    failures = dict(session.execute(select(JobRun.job, func.count()).where(
        JobRun.status == "failed", JobRun.started_at >= now - JOB_WINDOW).group_by(JobRun.job)).all())
    return [JobHealth(job["name"], job["description"], job["schedule"], job["last_run"], failures.get(job["name"], 0))
            for job in jobs_service.jobs_overview(session, actor)]
