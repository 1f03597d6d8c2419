"""Claim due timer rows and fire them through the workflow service, exactly once.

The ``workflow_timer`` rows are the truth; whoever calls :func:`drain` (APScheduler's sweep,
``flask scheduler run --once``, a test) only decides *when* to look.

Exactly once, on both databases:

- **Claim and fire are one transaction.** A batch is claimed (timers with their instances, one
  statement), the open tasks and timers of those instances read (one statement), each timer
  fired (one write statement per step on PostgreSQL), then everything commits together. Should
  a timer fail, the batch is rolled back and fired again with a savepoint per timer (a failing
  timer does not undo the others).
  A crash or ``kill -9`` before the commit rolls the whole batch back: those timers are still
  pending and due, and the next sweep (of this or another process) fires them. Nothing is
  committed as fired that did not fire, and nothing fired stays pending.
- **PostgreSQL**: ``SELECT … FOR UPDATE OF workflow_timer, process_instance SKIP LOCKED``.
  Locking the instance row too means a batch never waits for a user's step on the same
  instance (it skips it), the engine's own ``FOR UPDATE OF process_instance`` then finds the
  lock already held, and two timers of one instance are never fired by two processes at once.
  A row committed as fired by another process between our snapshot and our lock fails the
  re-check PostgreSQL makes on locked rows, so it is never claimed twice.
- **SQLite** has no row locks, but only one writer: the claim opens the transaction with a
  write (an UPDATE matching nothing), which takes the database's write lock before the due
  rows are read; every other writer waits (busy timeout) until the batch commits.

Failures: a timer whose step raises is rolled back to its savepoint, its ``attempts`` and
``last_error`` are recorded in the same commit, and this process waits before trying it again
(exponential backoff). After ``MAX_TIMER_ATTEMPTS`` consecutive failures the scheduler stops
trying until an admin retries it (``POST /api/v1/timers/<id>/retry``).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session, lazyload

from app import clock
from app.extensions import db
from app.jobs.service import MAX_TIMER_ATTEMPTS
from app.security import all_tenants
from app.workflow import service as workflow_service
from app.workflow import steps
from app.workflow.models import ProcessInstance, Timer

log = logging.getLogger("scheduler.timers")

DEFAULT_BATCH = 10
BACKOFF_FIRST_SECONDS = 15.0
BACKOFF_MAX_SECONDS = 600.0


@dataclass
class BatchResult:
    claimed: int = 0
    fired: int = 0
    failed: int = 0
    skipped: int = 0  # claimed but no longer waiting in the engine (cancelled meanwhile)
    repeating: list[int] = field(default_factory=list)  # cycle timers still pending after firing
    lateness: list[float] = field(default_factory=list)  # seconds, one per fired timer


@dataclass
class DrainResult:
    fired: int = 0
    failed: int = 0
    skipped: int = 0
    batches: int = 0
    seconds: float = 0.0
    lateness: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, batch: BatchResult) -> None:
        with self._lock:
            self.fired += batch.fired
            self.failed += batch.failed
            self.skipped += batch.skipped
            self.batches += 1
            self.lateness.extend(batch.lateness)

    def as_dict(self) -> dict:
        worst = max(self.lateness, default=0.0)
        return {"fired": self.fired, "failed": self.failed, "skipped": self.skipped, "batches": self.batches,
                "seconds": round(self.seconds, 3), "max_lateness_seconds": round(worst, 3)}


class Backoff:
    """Per-process pause before retrying a timer that failed (the count itself is in the row)."""

    def __init__(self) -> None:
        self._until: dict[int, float] = {}
        self._lock = threading.Lock()

    def failed(self, timer_id: int, attempts: int) -> None:
        delay = min(BACKOFF_MAX_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** max(0, attempts - 1))
        with self._lock:
            self._until[timer_id] = time.monotonic() + delay

    def active(self) -> set[int]:
        now = time.monotonic()
        with self._lock:
            for timer_id in [t for t, until in self._until.items() if until <= now]:
                del self._until[timer_id]
            return set(self._until)

    def next_release(self) -> float | None:
        """Seconds until the earliest paused timer may be tried again."""
        with self._lock:
            return max(0.0, min(self._until.values()) - time.monotonic()) if self._until else None


def _due_stmt(now: datetime, exclude: Iterable[int]):
    stmt = (select(Timer)
            .join(ProcessInstance, ProcessInstance.id == Timer.instance_id)
            # A suspended instance keeps its timers; they fire (late) once it is resumed.
            .where(Timer.status == "pending", Timer.due_at <= now, Timer.attempts < MAX_TIMER_ATTEMPTS,
                   ProcessInstance.status == "running"))
    excluded = list(exclude)
    if excluded:
        stmt = stmt.where(Timer.id.not_in(excluded))
    return stmt


def claim_due(session: Session, *, now: datetime, limit: int, exclude: Iterable[int] = ()) -> list[Timer]:
    """Lock up to ``limit`` due timers for this transaction, oldest due first (misfires too)."""
    return [timer for timer, _instance in claim_due_with_instances(session, now=now, limit=limit, exclude=exclude)]


def claim_due_with_instances(session: Session, *, now: datetime, limit: int, exclude: Iterable[int] = ()
                             ) -> list[tuple[Timer, ProcessInstance]]:
    """The claim, with each timer's instance read (and locked) by the same statement: firing
    then needs no second read of either."""
    stmt = (_due_stmt(now, exclude).add_columns(ProcessInstance).order_by(Timer.due_at, Timer.id).limit(limit)
            .options(lazyload(ProcessInstance.definition)))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=(Timer, ProcessInstance), skip_locked=True)
    else:
        # SQLite: begin the transaction with a write so the database's write lock is ours
        # before we read which timers are due (the driver only opens transactions on writes).
        session.execute(text("UPDATE workflow_timer SET attempts = attempts WHERE 1 = 0"))
    stmt = all_tenants(stmt).execution_options(populate_existing=True)
    return [(row[0], row[1]) for row in session.execute(stmt)]


class _RetryCarefully(Exception):
    """A timer failed in a batch fired without savepoints: redo the batch one savepoint per timer."""


def fire_batch(session: Session, *, now: datetime | None = None, limit: int = DEFAULT_BATCH,
               exclude: Iterable[int] = (), backoff: Backoff | None = None) -> BatchResult:
    """Claim and fire one batch, then commit. Returns what happened; raises only when the
    commit itself fails (then nothing of the batch is kept and its timers stay due).

    A batch first fires without a savepoint per timer (two round trips each saved). Should any
    timer fail, the whole transaction is rolled back (nothing was committed, so nothing fired
    twice) and the batch is claimed and fired again with a savepoint per timer, so that the
    failure is recorded and the others go through."""
    try:
        return _claim_and_fire(session, now, limit, exclude, backoff, careful=False)
    except _RetryCarefully:
        return _claim_and_fire(session, now, limit, exclude, backoff, careful=True)


def _claim_and_fire(session: Session, now: datetime | None, limit: int, exclude: Iterable[int],
                    backoff: Backoff | None, *, careful: bool) -> BatchResult:
    result = BatchResult()
    try:
        claimed = claim_due_with_instances(session, now=now or clock.now(), limit=limit, exclude=exclude)
        result.claimed = len(claimed)
        if claimed:
            # The batch's open tasks and pending timers in one query, not one per step.
            with steps.prefetched_derived(session, [instance.id for _timer, instance in claimed]):
                for timer, instance in claimed:
                    _fire_one(session, timer, instance, result, backoff, careful=careful)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


def _fire_one(session: Session, timer: Timer, instance: ProcessInstance, result: BatchResult,
              backoff: Backoff | None, *, careful: bool) -> None:
    timer_id, instance_id, element_id, due_at = timer.id, timer.instance_id, timer.element_id, timer.due_at
    try:
        with session.begin_nested() if careful else nullcontext():
            # now=None: the service reads the clock per timer, so the recorded lateness is exact.
            fired = workflow_service.fire_claimed(session, timer, instance)
    except Exception as exc:  # any failure of this one step; the others in the batch go on
        if not careful:
            raise _RetryCarefully from exc
        attempts = (timer.attempts or 0) + 1
        timer.attempts, timer.last_error = attempts, f"{type(exc).__name__}: {exc}"[:4000]
        result.failed += 1
        if backoff is not None:
            backoff.failed(timer_id, attempts)
        level = logging.ERROR if attempts >= MAX_TIMER_ATTEMPTS else logging.WARNING
        log.log(level, "timer %s (instance %s, %s) failed, attempt %s/%s: %s", timer_id, instance_id, element_id,
                attempts, MAX_TIMER_ATTEMPTS, exc, exc_info=level == logging.ERROR)
        return
    if not fired:
        result.skipped += 1
        return
    result.fired += 1
    if timer.attempts or timer.last_error:
        timer.attempts, timer.last_error = 0, None  # attempts counts consecutive failures
    if timer.status == "pending":  # a cycle timer waits for its next occurrence
        result.repeating.append(timer_id)
    fired_at = timer.fired_at or clock.now()
    result.lateness.append(max(0.0, (fired_at - due_at).total_seconds()))


def drain(app: Flask, *, workers: int = 1, batch: int = DEFAULT_BATCH, backoff: Backoff | None = None,
          stop: threading.Event | None = None, max_batches: int | None = None) -> DrainResult:
    """Fire every due timer, in ``workers`` threads (PostgreSQL only; SQLite has one writer).

    Each worker claims and commits its own batches until none are left. A cycle timer fires
    at most once per drain, so a short cycle cannot keep the drain busy forever.
    """
    started = time.monotonic()
    result = DrainResult()
    repeated: set[int] = set()
    repeated_lock = threading.Lock()
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            workers = 1
    budget = [max_batches] if max_batches is not None else None
    budget_lock = threading.Lock()

    def take_budget() -> bool:
        if budget is None:
            return True
        with budget_lock:
            if budget[0] <= 0:
                return False
            budget[0] -= 1
            return True

    def work() -> None:
        with app.app_context():
            session = db.session
            while not (stop is not None and stop.is_set()) and take_budget():
                with repeated_lock:
                    exclude = set(repeated)
                if backoff is not None:
                    exclude |= backoff.active()
                try:
                    outcome = fire_batch(session, limit=batch, exclude=exclude, backoff=backoff)
                except Exception:
                    log.exception("a timer batch could not be committed; its timers stay due")
                    return
                result.add(outcome)
                if outcome.repeating:
                    with repeated_lock:
                        repeated.update(outcome.repeating)
                if outcome.claimed == 0:
                    return

    if workers <= 1:
        work()
    else:
        threads = [threading.Thread(target=work, name=f"timers-{i}", daemon=True) for i in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    result.seconds = time.monotonic() - started
    return result


def next_due(session: Session, *, exclude: Iterable[int] = ()) -> datetime | None:
    """When the next claimable timer falls due (in the past if some are due now)."""
    stmt = (select(Timer.due_at)
            .join(ProcessInstance, ProcessInstance.id == Timer.instance_id)
            .where(Timer.status == "pending", Timer.attempts < MAX_TIMER_ATTEMPTS,
                   ProcessInstance.status == "running"))
    excluded = list(exclude)
    if excluded:
        stmt = stmt.where(Timer.id.not_in(excluded))
    return session.scalar(all_tenants(stmt.order_by(Timer.due_at).limit(1)))


def overdue(session: Session, *, now: datetime) -> tuple[int, datetime | None]:
    """(how many claimable timers are due, the oldest due time): the misfires at start-up."""
    from sqlalchemy import func

    stmt = _due_stmt(now, ()).with_only_columns(func.count(), func.min(Timer.due_at))
    count, oldest = session.execute(all_tenants(stmt)).one()
    return count or 0, oldest
