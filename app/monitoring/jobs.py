"""Daily monitoring work (M.13, M.25): roll up yesterday, scan for idle and zombie systems and
start a warning case for each new finding; purge raw samples past their keeping time.

Listed in ``app.jobs.registry.DOMAIN_JOB_MODULES``; the scheduler wraps each job (context,
session, commit or rollback, run record, lock). Both are safe to run twice: the rollup rebuilds
its days, a system has one open finding per rule, and a purge of nothing deletes nothing.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.jobs.registry import JobContext, periodic
from app.monitoring import ingest, service


# 02:30 Shanghai: yesterday's samples are in, the working day has not started.
@periodic("monitoring.daily_scan", cron={"hour": 2, "minute": 30}, timeout_minutes=60,
          description=_l("Roll up utilisation and flag idle and zombie systems"))
def daily_scan(ctx: JobContext) -> str:
    """Roll up utilisation and flag idle and zombie systems."""
    yesterday = ctx.today - timedelta(days=1)
    rows = ingest.rollup(ctx.session, day_from=yesterday, day_to=ctx.today)
    result = service.scan(ctx.session, today=ctx.today, now=ctx.now)
    raised = ", ".join(f"{key} {count}" for key, count in result.raised.items())
    return f"rolled up {rows} system-days; findings raised: {raised or 'none'}; cases started: {result.started}"


@periodic("monitoring.purge_samples", cron={"hour": 3, "minute": 15}, timeout_minutes=60,
          description=_l("Purge raw utilisation samples past their keeping time"))
def purge_samples(ctx: JobContext) -> str:
    """Purge raw utilisation samples past their keeping time (UTILISATION_RAW_DAYS)."""
    keep = int(current_app.config["UTILISATION_RAW_DAYS"])
    removed = ingest.purge(ctx.session, today=ctx.today, keep_days=keep)
    return f"purged {removed} samples older than {keep} days"
