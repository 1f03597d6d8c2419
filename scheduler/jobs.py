"""The one wrapper every periodic job runs in (habit 6).

App context, a session, a log line at start and end, rollback on error, a run record
(start, end, outcome, message, error) and a lock: the ``running`` record itself, which a
second process cannot insert while the first is at work (see ``app.jobs.models.JobRun``).
"""
from __future__ import annotations

import logging
import time
import traceback
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.jobs import registry
from app.jobs import service as jobs_service
from app.jobs.models import JobRun

log = logging.getLogger("scheduler.jobs")


def run_job(app: Flask, spec: registry.JobSpec, *, now: datetime | None = None,
            trigger: str = "schedule") -> JobRun | None:
    """Run ``spec`` once. Returns its finished run record, or None when it was already
    running elsewhere (then nothing is recorded: the other run's record says it all)."""
    with app.app_context():
        session = db.session
        now = now or clock.now()
        try:
            run = jobs_service.begin_run(session, spec, now=now, owner=jobs_service.owner_label(), trigger=trigger)
            session.commit()  # visible (and locking) before the work starts
        except IntegrityError:
            session.rollback()
            log.info("job %s is already running in another process; this run is skipped", spec.name)
            return None
        run_id = run.id
        job_log = logging.getLogger(f"jobs.{spec.name}")
        context = registry.JobContext(session=session, now=now, log=job_log)
        log.info("job %s started (run %s)", spec.name, run_id)
        started = time.monotonic()
        status, message, error = "ok", None, None
        try:
            message = spec.func(context)
            session.commit()
            if context.warnings:
                status = "warning"
                message = "\n".join([*context.warnings, *([message] if message else [])])
        except Exception as exc:  # a job's failure is recorded, never propagated into APScheduler
            session.rollback()
            status, error = "failed", traceback.format_exc()
            message = f"{type(exc).__name__}: {exc}"
            log.exception("job %s failed (run %s)", spec.name, run_id)
        finished = jobs_service.finish_run(session, run_id, status=status, now=_end(now, started),
                                           message=message, error=error)
        session.commit()
        log.info("job %s ended: %s in %.2f s", spec.name, status, time.monotonic() - started)
        session.refresh(finished)
        session.expunge(finished)
        return finished


def _end(start: datetime, started_monotonic: float) -> datetime:
    # On the start's clock (a test's frozen clock included) plus the real time the job took.
    return start + timedelta(seconds=time.monotonic() - started_monotonic)
