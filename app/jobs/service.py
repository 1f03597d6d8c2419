"""Job run records and the admin's view of waiting timers.

Services flush, never commit: the edge (the job wrapper, the API) commits.
"""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.errors import Conflict
from app.jobs import registry
from app.jobs.models import RUNNING, JobRun
from app.security import Actor, all_tenants, get_visible, require_role, scoped
from app.workflow.models import ProcessInstance, Timer

ADMIN = "admin"
# Consecutive failed tries after which the scheduler stops firing a timer until an admin
# asks for a retry (the timer row keeps ``attempts`` and ``last_error`` for them to read).
MAX_TIMER_ATTEMPTS = 5


def owner_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# -- run records ------------------------------------------------------------------------------
def begin_run(session: Session, spec: registry.JobSpec, *, now: datetime, owner: str,
              trigger: str = "schedule") -> JobRun:
    """Record a run as started. Raises ``IntegrityError`` at flush when the job is already
    running in another process (the partial unique index); the caller rolls back and skips.

    A ``running`` record left by a crashed process is released first: at once when it was
    this host's and its process is gone, otherwise once it is older than the job's timeout.
    """
    for stale in session.scalars(select(JobRun).where(JobRun.job == spec.name, JobRun.status == RUNNING)):
        if stale.started_at < now - spec.timeout or _dead_here(stale.owner):
            stale.status, stale.ended_at = "abandoned", now
            stale.error = (stale.error or "") + f"released by {owner}: its process stopped before the end"
    session.flush()
    run = JobRun(job=spec.name, status=RUNNING, trigger=trigger, owner=owner, started_at=now)
    session.add(run)
    session.flush()
    return run


def _dead_here(owner: str) -> bool:
    host, _sep, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def finish_run(session: Session, run_id: int, *, status: str, now: datetime, message: str | None = None,
               error: str | None = None) -> JobRun:
    run = session.get(JobRun, run_id)
    run.status, run.ended_at = status, now
    run.message = message[:4000] if message else None
    run.error = error[-8000:] if error else None
    session.flush()
    return run


def list_runs(session: Session, actor: Actor, *, job: str | None = None, status: str | None = None,
              limit: int = 100) -> list[JobRun]:
    require_role(actor, ADMIN)
    stmt = select(JobRun)
    if job:
        stmt = stmt.where(JobRun.job == job)
    if status:
        stmt = stmt.where(JobRun.status == status)
    return list(session.scalars(stmt.order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)))


def jobs_overview(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Every registered job with its schedule and its latest run."""
    require_role(actor, ADMIN)
    latest_ids = select(func.max(JobRun.id)).group_by(JobRun.job)
    latest = {run.job: run for run in session.scalars(select(JobRun).where(JobRun.id.in_(latest_ids)))}
    return [{"name": spec.name, "description": str(spec.description), "schedule": spec.describe_schedule(),
             "last_run": latest.get(spec.name)} for spec in registry.load().values()]


# -- timers, as admins see them -----------------------------------------------------------------
@dataclass
class TimerView:
    timer: Timer
    process_key: str
    business_key: str | None
    instance_status: str
    lateness_seconds: float | None
    stuck: bool  # the scheduler has given up on it until an admin retries


@dataclass
class TimerPage:
    items: list[TimerView]
    total: int
    page: int
    per_page: int


def list_timers(session: Session, actor: Actor, *, status: str | None = "pending", overdue: bool | None = None,
                process_key: str | None = None, instance_id: int | None = None, page: int = 1,
                per_page: int = 50) -> TimerPage:
    """Timers the admin may see (tenant rules apply), soonest due first, with their lateness."""
    require_role(actor, ADMIN)
    now = clock.now()
    stmt = scoped(actor, Timer).join(ProcessInstance, ProcessInstance.id == Timer.instance_id)
    if status:
        stmt = stmt.where(Timer.status == status)
    if overdue is not None:
        stmt = stmt.where(Timer.due_at <= now if overdue else Timer.due_at > now)
    if process_key:
        stmt = stmt.where(ProcessInstance.process_key == process_key)
    if instance_id is not None:
        stmt = stmt.where(Timer.instance_id == instance_id)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(stmt.add_columns(ProcessInstance.process_key, ProcessInstance.business_key,
                                            ProcessInstance.status)
                           .order_by(Timer.due_at, Timer.id).offset((page - 1) * per_page).limit(per_page)).all()
    items = [TimerView(timer, key, business_key, instance_status, _lateness(timer, now),
                       timer.status == "pending" and timer.attempts >= MAX_TIMER_ATTEMPTS)
             for timer, key, business_key, instance_status in rows]
    return TimerPage(items, total, page, per_page)


def _lateness(timer: Timer, now: datetime) -> float | None:
    if timer.status == "fired" and timer.fired_at is not None:
        return round(max(0.0, (timer.fired_at - timer.due_at).total_seconds()), 3)
    if timer.status == "pending" and timer.due_at <= now:
        return round((now - timer.due_at).total_seconds(), 3)
    return None


def retry_timer(session: Session, actor: Actor, timer_id: int) -> Timer:
    """Give a timer the scheduler stopped trying a fresh set of attempts (after fixing the cause)."""
    require_role(actor, ADMIN)
    timer = get_visible(session, actor, Timer, timer_id)
    if timer.status != "pending":
        raise Conflict(_("This timer is no longer waiting."), code="timer_not_pending")
    timer.attempts, timer.last_error = 0, None
    session.flush()
    return timer


def pending_counts(session: Session, *, now: datetime) -> dict[str, int]:
    """System-wide numbers for the CLI status line and start-up log (no actor: operators only)."""
    base = all_tenants(select(func.count()).select_from(Timer).where(Timer.status == "pending"))
    return {
        "pending": session.scalar(base) or 0,
        "due": session.scalar(base.where(Timer.due_at <= now)) or 0,
        "stuck": session.scalar(base.where(Timer.attempts >= MAX_TIMER_ATTEMPTS)) or 0,
    }
