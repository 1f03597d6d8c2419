"""``flask scheduler …``: run the scheduler standalone, or look at and poke what it does."""
from __future__ import annotations

import json
import os
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from app import clock
from app.extensions import db

scheduler_cli = AppGroup("scheduler", help="BPMN timers and periodic jobs.")


@scheduler_cli.command("run")
@click.option("--once", is_flag=True, help="Fire every timer due now (misfires included), print a summary, exit.")
@click.option("--workers", type=click.IntRange(1, 32), default=None,
              help="Threads firing timers in parallel (PostgreSQL; SQLite uses one). Default 2.")
@click.option("--batch", type=click.IntRange(1, 500), default=None, help="Timers claimed per transaction.")
@click.option("--poll", type=click.FloatRange(0.1, 3600), default=None,
              help="Seconds between looks when nothing is due sooner (default SCHEDULER_POLL_SECONDS).")
@click.option("--no-jobs", is_flag=True, help="Timers only: leave periodic jobs to other processes.")
def run(once: bool, workers: int | None, batch: int | None, poll: float | None, no_jobs: bool) -> None:
    """Run the scheduler in this process until SIGTERM or Ctrl-C. Safe to run several."""
    from scheduler import timers
    from scheduler.runner import Runner

    app = current_app._get_current_object()
    if once:
        result = timers.drain(app, workers=workers or 1, batch=batch or timers.DEFAULT_BATCH)
        click.echo(json.dumps(result.as_dict()))
        return
    runner = Runner(app, poll_seconds=poll, workers=workers, batch=batch, periodic_jobs=not no_jobs)
    stopped = threading.Event()

    def stop(signum, frame) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    runner.start()
    click.echo(f"scheduler running (pid {os.getpid()}); Ctrl-C stops it")
    while not stopped.wait(1.0):
        pass
    runner.shutdown(wait=True)


@scheduler_cli.command("status")
def status() -> None:
    """Waiting timers (due, stuck) and the latest run of every job."""
    from app.jobs import service as jobs_service
    from app.security import SYSTEM

    counts = jobs_service.pending_counts(db.session, now=clock.now())
    click.echo(f"timers: {counts['pending']} pending, {counts['due']} due now, "
               f"{counts['stuck']} stuck (retry with POST /api/v1/timers/<id>/retry)")
    rows = jobs_service.jobs_overview(db.session, SYSTEM)
    click.echo(f"periodic jobs: {len(rows)}")
    for row in rows:
        last = row["last_run"]
        seen = f"{last.status} at {last.started_at:%Y-%m-%d %H:%M:%S}Z" if last else "never run"
        click.echo(f"  {row['name']:<32} {row['schedule']:<28} {seen}")


@scheduler_cli.command("run-job")
@click.argument("name")
def run_job_command(name: str) -> None:
    """Run one periodic job now, in this process, with the usual lock and run record."""
    from app.jobs import registry
    from scheduler.jobs import run_job

    spec = registry.get(name)
    if spec is None:
        raise click.BadParameter(f"no job {name!r}; known: {', '.join(registry.load()) or 'none'}",
                                 param_hint="NAME")
    run = run_job(current_app._get_current_object(), spec, trigger="manual")
    if run is None:
        raise click.ClickException(f"{name} is already running in another process")
    click.echo(f"{name}: {run.status}" + (f" — {run.message}" if run.message else ""))
    if run.status == "failed":
        raise SystemExit(1)
