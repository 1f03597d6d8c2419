"""Periodic jobs, declared where they belong and collected in one place.

A domain declares its jobs in ``app/<domain>/jobs.py``::

    @periodic("calendar.next_year_check", cron={"hour": 9, "minute": 5})
    def next_year_check(ctx: JobContext) -> str: ...

and is listed once in :data:`DOMAIN_JOB_MODULES`. The decorator only marks the function;
:func:`load` imports the listed modules and collects what is marked, so nothing is scheduled or
run at import (habit 1). The scheduler wraps every job the same way (``scheduler.jobs.run_job``):
app context, session, log, rollback, run record, lock. A process to be started on a schedule
is declared with :func:`start_process`.
"""
from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

# The daily scans and monthly settlements of later issues add their module here.
DOMAIN_JOB_MODULES: tuple[str, ...] = (
    "app.calendar.jobs",
    "app.inbox.jobs",
    "app.evaluation.jobs",
    "app.governance.jobs",
    "app.billing.jobs",
    "app.monitoring.jobs",
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
_TRIGGER_KEYS = {"cron": {"year", "month", "day", "week", "day_of_week", "hour", "minute", "second"},
                 "interval": {"weeks", "days", "hours", "minutes", "seconds"}}


@dataclass
class JobContext:
    """What a job gets: a session (the wrapper commits or rolls back), the time, a logger."""

    session: Session
    now: datetime
    log: logging.Logger
    warnings: list[str] = field(default_factory=list)

    @property
    def today(self) -> date:
        # Schedules, holidays and settlements are Shanghai dates, whatever the server's zone.
        return self.now.astimezone(SHANGHAI).date()

    def warn(self, message: str) -> None:
        """Something an admin should act on; the run is recorded with outcome ``warning``."""
        self.log.warning(message)
        self.warnings.append(message)


JobFunc = Callable[[JobContext], str | None]


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: JobFunc
    trigger: str  # cron | interval
    schedule: dict[str, Any]
    # A ``running`` record older than this is taken to be a crashed run and no longer blocks.
    timeout: timedelta
    description: Any  # str or a lazy translation, rendered in the reader's language

    def describe_schedule(self) -> str:
        return self.trigger + " " + " ".join(f"{k}={v}" for k, v in self.schedule.items())


def periodic(name: str, *, cron: dict[str, Any] | None = None, interval: dict[str, Any] | None = None,
             timeout_minutes: int = 60, description: Any = "") -> Callable[[JobFunc], JobFunc]:
    """Declare a periodic job. ``cron`` and ``interval`` take APScheduler's trigger fields,
    read in Asia/Shanghai. The job must be safe to run twice (habit 6): it may be run again
    by hand, or after a crash. The function is only marked; :func:`load` collects it."""
    if (cron is None) == (interval is None):
        raise ValueError(f"job {name}: give exactly one of cron= or interval=")
    trigger, schedule = ("cron", cron) if cron is not None else ("interval", interval)
    unknown = set(schedule) - _TRIGGER_KEYS[trigger]
    if unknown:
        raise ValueError(f"job {name}: unknown {trigger} fields {sorted(unknown)}")

    def mark(func: JobFunc) -> JobFunc:
        doc = (func.__doc__ or "").strip()
        summary = description or (doc.splitlines()[0] if doc else "")
        func.job_spec = JobSpec(name, func, trigger, dict(schedule),  # type: ignore[attr-defined]
                                timedelta(minutes=timeout_minutes), summary)
        return func

    return mark


def load(modules: tuple[str, ...] = DOMAIN_JOB_MODULES) -> dict[str, JobSpec]:
    """Import the domains' job modules and return every job declared in them, by name.

    Collected from the modules rather than a global list filled at import, so the answer does
    not depend on what happened to be imported before (habit: no import-order effects)."""
    found: dict[str, JobSpec] = {}
    for module_name in modules:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if not inspect.isfunction(value):  # e.g. an imported ``current_app`` proxy outside a context
                continue
            spec = getattr(value, "job_spec", None)
            if not isinstance(spec, JobSpec) or spec.func is not value:
                continue
            if spec.name in found and found[spec.name] is not spec:
                raise ValueError(f"job {spec.name} is declared twice ({found[spec.name].func.__module__}, "
                                 f"{module_name})")
            found[spec.name] = spec
    return dict(sorted(found.items()))


def get(name: str) -> JobSpec | None:
    return load().get(name)


def start_process(name: str, *, process_key: str, cron: dict[str, Any] | None = None,
                  interval: dict[str, Any] | None = None, tenant_id: str = "city",
                  variables: dict[str, Any] | None = None, description: Any = "") -> JobFunc:
    """A periodic job that starts ``process_key`` once per occurrence: a process on a schedule.

    Assign the result to a module-level name in a domain's ``jobs.py``::

        solicitation = start_process("procurement.solicitation", process_key="solicitation",
                                     cron={"month": 9, "day": 1, "hour": 9})

    The instance's business key names the job and the minute it was due, so running the job
    again for the same occurrence (by hand, after a crash) finds it and starts nothing.
    (BPMN timer *start* events are not used for this: the engine refuses start-event cycles,
    and a start-event date or duration makes one instance wait at its start.)
    """

    def job(ctx: JobContext) -> str:
        from sqlalchemy import select

        from app.security import SYSTEM, all_tenants
        from app.workflow import service as workflow_service
        from app.workflow.models import ProcessInstance

        occurrence = ctx.now.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
        business_key = f"{name}@{occurrence}"
        existing = ctx.session.scalar(all_tenants(select(ProcessInstance.id).where(
            ProcessInstance.process_key == process_key, ProcessInstance.business_key == business_key)))
        if existing is not None:
            return f"{process_key} already started for {occurrence} (instance {existing})"
        instance = workflow_service.start_instance(ctx.session, SYSTEM, process_key=process_key,
                                                   business_key=business_key, tenant_id=tenant_id,
                                                   variables=dict(variables or {}))
        return f"started {process_key} instance {instance.id} ({business_key})"

    job.__name__ = job.__qualname__ = f"start_{process_key}"
    return periodic(name, cron=cron, interval=interval, timeout_minutes=10,
                    description=description or f"Starts {process_key} on schedule.")(job)
