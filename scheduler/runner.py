"""The APScheduler side: when to look for due timers, and when to run each periodic job.

One :class:`Runner` per process, embedded in the web process (``make run``) or standalone
(``flask scheduler run``). It holds no state that matters: timers are rows, job locks and
run records are rows, so any number of runners may share one PostgreSQL database.

When to look for timers: at start (the misfires: everything that fell due while nothing ran,
oldest first), every ``SCHEDULER_POLL_SECONDS``, and earlier when a timer is due sooner —
after each sweep the runner looks up the next due time, and the engine tells it of every
timer it creates (``app.workflow.timing.add_timer_listener`` in this process; on PostgreSQL also
``NOTIFY yunguan_timers`` at commit, which every runner LISTENs to, so a standalone scheduler
hears of timers created by web processes), so a timer fires close to its due time instead of
at the next poll.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from apscheduler.events import EVENT_JOB_MAX_INSTANCES
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from app import clock
from app.extensions import db
from app.jobs import registry
from app.workflow import timing
from scheduler import timers
from scheduler.jobs import run_job

log = logging.getLogger("scheduler")

SWEEP_JOB = "timers.sweep"
MIN_WAKE_SECONDS = 0.05  # never re-arm sooner: a timer that cannot fire yet must not spin a core
LISTEN_TIMEOUT_SECONDS = 1.0  # how often the listening thread checks whether to stop


class Runner:
    def __init__(self, app: Flask, *, poll_seconds: float | None = None, workers: int | None = None,
                 batch: int | None = None, periodic_jobs: bool = True):
        self.app = app
        self.poll_seconds = float(poll_seconds or app.config.get("SCHEDULER_POLL_SECONDS") or 5)
        self.workers = int(workers or app.config.get("SCHEDULER_TIMER_WORKERS") or 2)
        self.batch = int(batch or app.config.get("SCHEDULER_TIMER_BATCH") or timers.DEFAULT_BATCH)
        self.periodic_jobs = periodic_jobs
        self.zone = app.config.get("TIMEZONE", "Asia/Shanghai")
        self.backoff = timers.Backoff()
        self._stop = threading.Event()
        self._state = threading.Lock()
        self._sweeping = threading.Lock()
        self._requested: datetime | None = None  # a wake-up asked for while a sweep ran
        self.aps = BackgroundScheduler(
            timezone=self.zone,
            executors={"default": ThreadPoolExecutor(max_workers=8)},
            # A job missed while the process was busy or asleep runs once, late, not n times.
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        self.started = False
        self._listener: threading.Thread | None = None

    # -- life cycle --------------------------------------------------------------------------------
    def start(self) -> None:
        # APScheduler logs every run at INFO; with wake-ups near each due time that is noise.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        try:
            with self.app.app_context():
                count, oldest = timers.overdue(db.session, now=clock.now())
                db.session.rollback()
        except Exception:  # e.g. tables not migrated yet: the web must still come up
            log.exception("scheduler: could not count overdue timers; starting anyway")
            count, oldest = 0, None
        if count:
            lateness = (clock.now() - oldest).total_seconds()
            # Misfires worth an operator's attention: due for longer than one poll interval.
            level = logging.WARNING if lateness > self.poll_seconds else logging.INFO
            log.log(level, "scheduler: %s timers fell due while nothing was running (oldest %.0f s late); "
                    "firing them now, oldest first", count, lateness)
        # max_instances=2: a wake-up that lands while a sweep finishes must not be dropped with
        # a warning; a second sweep arriving while one runs returns at once (see sweep()).
        self.aps.add_job(self.sweep, IntervalTrigger(seconds=self.poll_seconds, timezone=self.zone),
                         id=SWEEP_JOB, name=SWEEP_JOB, next_run_time=self._aps_now(), max_instances=2)
        if self.periodic_jobs:
            for spec in registry.load().values():
                self.aps.add_job(run_job, _trigger(spec, self.zone), args=(self.app, spec), id=spec.name,
                                 name=spec.name, replace_existing=True)
        self.aps.add_listener(self._on_skipped, EVENT_JOB_MAX_INSTANCES)
        timing.add_timer_listener(self.wake)
        self.aps.start()
        self.started = True
        if self._dialect() == "postgresql":
            self._listener = threading.Thread(target=self._listen, name="scheduler-listen", daemon=True)
            self._listener.start()
        log.info("scheduler started: poll %.1f s, %s timer workers, batch %s, %s periodic jobs",
                 self.poll_seconds, self.workers, self.batch,
                 len(self.aps.get_jobs()) - 1)

    def shutdown(self, wait: bool = True) -> None:
        if not self.started:
            return
        self.started = False
        timing.remove_timer_listener(self.wake)
        self._stop.set()  # a drain in progress finishes its batch and stops
        # APScheduler's shutdown holds its job-store lock while it waits for running jobs; a sweep
        # that re-arms (get_job) at that moment would wait for that lock forever. Let the sweep end
        # first: having seen the stop, it does not re-arm.
        if wait and self._sweeping.acquire(timeout=120):
            self._sweeping.release()
        self.aps.shutdown(wait=wait)
        if wait and self._listener is not None:
            self._listener.join(timeout=2 * LISTEN_TIMEOUT_SECONDS + 1)
        log.info("scheduler stopped")

    # -- timers ------------------------------------------------------------------------------------
    def sweep(self) -> timers.DrainResult | None:
        """Fire everything due, then arm the next look for the next due time."""
        if not self._sweeping.acquire(blocking=False):
            return None  # another sweep is running; it re-arms when it ends
        result = None
        try:
            result = timers.drain(self.app, workers=self.workers, batch=self.batch, backoff=self.backoff,
                                  stop=self._stop)
            if result.fired or result.failed:
                # Sweeps near each due time are frequent and small: only the notable ones at INFO.
                notable = result.failed or result.seconds >= 1
                log.log(logging.INFO if notable else logging.DEBUG, "timers: %s fired, %s failed, %s skipped "
                        "in %.2f s", result.fired, result.failed, result.skipped, result.seconds)
        except Exception:
            log.exception("timer sweep failed")
        finally:
            with self._state:
                requested, self._requested = self._requested, None
            self._sweeping.release()
        if not self._stop.is_set():
            self._arm(requested)
        return result

    def wake(self, due_at: datetime) -> None:
        """Called by the engine (inside its transaction) when it creates a timer."""
        if not self.started:
            return
        with self._state:
            # The row is not committed yet, so a sweep may run before it can see it: remember
            # the request and let the sweep that ends next re-arm for it.
            self._requested = due_at if self._requested is None else min(self._requested, due_at)
            sweeping = self._sweeping.locked()
        if not sweeping:
            self._schedule_sweep(due_at)

    def _dialect(self) -> str:
        with self.app.app_context():
            return db.engine.dialect.name

    def _listen(self) -> None:
        """PostgreSQL: hear of timers other processes' steps create (timing.notify_new_timer)."""
        import psycopg

        with self.app.app_context():
            cargs, cparams = db.engine.dialect.create_connect_args(db.engine.url)
        while not self._stop.is_set():
            try:
                with psycopg.connect(*cargs, **cparams, autocommit=True) as conn:
                    conn.execute(f"LISTEN {timing.TIMER_CHANNEL}")
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=LISTEN_TIMEOUT_SECONDS):
                            self._heard(note.payload)
            except Exception:  # the database restarted, say: listen again (polling goes on meanwhile)
                log.warning("scheduler: lost the timer notification channel; listening again", exc_info=True)
                self._stop.wait(LISTEN_TIMEOUT_SECONDS)

    def _heard(self, payload: str) -> None:
        try:
            due = datetime.fromisoformat(payload)
        except ValueError:
            return
        self.wake(due)

    def _arm(self, requested: datetime | None) -> None:
        try:
            with self.app.app_context():
                upcoming = timers.next_due(db.session, exclude=self.backoff.active())
                db.session.rollback()
        except Exception:
            log.exception("could not read the next due timer; polling instead")
            return
        candidates = [moment for moment in (upcoming, requested) if moment is not None]
        release = self.backoff.next_release()
        if release is not None:
            candidates.append(clock.now() + timedelta(seconds=release))
        if candidates:
            self._schedule_sweep(min(candidates))

    def _schedule_sweep(self, due_at: datetime) -> None:
        if self._stop.is_set():
            return  # stopping: APScheduler may be holding its job-store lock (see shutdown)
        # Due times are on the app's clock (movable in tests); APScheduler runs on the wall clock.
        delay = max(MIN_WAKE_SECONDS, timing.seconds_until(due_at))
        run_at = self._aps_now() + timedelta(seconds=delay)
        job = self.aps.get_job(SWEEP_JOB)
        if job is not None and (job.next_run_time is None or run_at < job.next_run_time):
            job.modify(next_run_time=run_at)

    def _aps_now(self) -> datetime:
        return datetime.now(self.aps.timezone)

    def _on_skipped(self, event) -> None:
        log.warning("job %s was still running at its next run time; that run was skipped", event.job_id)


def _trigger(spec: registry.JobSpec, zone: str):
    if spec.trigger == "cron":
        return CronTrigger(timezone=zone, **spec.schedule)
    return IntervalTrigger(timezone=zone, **spec.schedule)
