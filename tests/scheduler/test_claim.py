"""The claim-and-fire loop on its own (the engine stood in for): order, failures, crashes, locks."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from app.jobs.service import MAX_TIMER_ATTEMPTS
from scheduler import timers
from tests.scheduler.conftest import T0, fake_instance, fake_timer, timer_rows


def test_due_timers_fire_oldest_first_and_future_ones_wait(app, db, frozen, fake_fire):
    late = fake_timer(db.session, due_at=T0 - timedelta(days=2))
    later = fake_timer(db.session, due_at=T0 - timedelta(minutes=5))
    exactly_now = fake_timer(db.session, due_at=T0)
    future = fake_timer(db.session, due_at=T0 + timedelta(seconds=1))
    db.session.commit()

    result = timers.drain(app, batch=2)

    assert fake_fire.fired == [late.id, later.id, exactly_now.id]
    assert (result.fired, result.failed, result.batches) == (3, 0, 3)  # 2 + 1, then an empty claim
    rows = timer_rows(db.session)
    assert rows[future.id].status == "pending"
    assert max(result.lateness) == pytest.approx(2 * 86400)


def test_suspended_instances_keep_their_timers_until_resumed(app, db, frozen, fake_fire):
    suspended = fake_instance(db.session, status="suspended")
    waiting = fake_timer(db.session, due_at=T0 - timedelta(hours=1), instance=suspended)
    db.session.commit()

    assert timers.drain(app).fired == 0
    assert timers.next_due(db.session) is None

    suspended.status = "running"
    db.session.commit()
    assert timers.drain(app).fired == 1
    assert fake_fire.fired == [waiting.id]


def test_a_failing_timer_is_recorded_and_does_not_hold_up_the_batch(app, db, frozen, fake_fire):
    bad = fake_timer(db.session, due_at=T0 - timedelta(minutes=3))
    good = fake_timer(db.session, due_at=T0 - timedelta(minutes=2))
    db.session.commit()
    fake_fire.fail[bad.id] = RuntimeError("handler exploded")
    backoff = timers.Backoff()

    result = timers.drain(app, backoff=backoff)

    assert (result.fired, result.failed) == (1, 1)
    rows = timer_rows(db.session)
    assert rows[good.id].status == "fired"
    # The failed step's own writes were rolled back with its savepoint; the failure is kept.
    assert rows[bad.id].status == "pending"
    assert rows[bad.id].attempts == 1
    assert rows[bad.id].last_error == "RuntimeError: handler exploded"
    # This process waits before trying it again.
    assert bad.id in backoff.active()
    assert timers.drain(app, backoff=backoff).failed == 0


def test_after_max_attempts_the_scheduler_stops_until_an_admin_retries(app, db, frozen, fake_fire):
    from app.jobs import service as jobs_service
    from app.security import SYSTEM

    stuck = fake_timer(db.session, due_at=T0 - timedelta(hours=1), attempts=MAX_TIMER_ATTEMPTS - 1)
    db.session.commit()
    fake_fire.fail[stuck.id] = RuntimeError("still broken")

    assert timers.drain(app).failed == 1
    assert timer_rows(db.session)[stuck.id].attempts == MAX_TIMER_ATTEMPTS
    assert timers.drain(app).failed == 0  # no longer claimed
    assert jobs_service.pending_counts(db.session, now=T0)["stuck"] == 1

    del fake_fire.fail[stuck.id]
    jobs_service.retry_timer(db.session, SYSTEM, stuck.id)
    db.session.commit()
    assert timers.drain(app).fired == 1
    row = timer_rows(db.session)[stuck.id]
    assert (row.status, row.attempts, row.last_error) == ("fired", 0, None)


def test_a_crash_mid_batch_keeps_nothing_of_the_batch(app, db, frozen, fake_fire):
    ids = [fake_timer(db.session, due_at=T0 - timedelta(minutes=i)).id for i in range(5)]
    db.session.commit()
    fake_fire.abort_after = 2  # the process dies while firing the third timer of the batch

    with pytest.raises(KeyboardInterrupt):
        timers.drain(app, batch=5)

    rows = timer_rows(db.session)
    assert all(rows[i].status == "pending" for i in ids), "fired but uncommitted timers must stay due"
    fake_fire.abort_after = None
    fake_fire.fired.clear()
    assert timers.drain(app, batch=5).fired == 5
    assert sorted(fake_fire.fired) == sorted(ids)


def test_next_due_and_overdue_report_what_is_waiting(app, db, frozen, fake_fire):
    assert timers.next_due(db.session) is None
    fake_timer(db.session, due_at=T0 + timedelta(minutes=10))
    fake_timer(db.session, due_at=T0 - timedelta(minutes=10))
    fake_timer(db.session, due_at=T0 - timedelta(minutes=30))
    fake_timer(db.session, due_at=T0 - timedelta(days=1), status="fired")
    db.session.commit()

    assert timers.next_due(db.session) == T0 - timedelta(minutes=30)
    assert timers.overdue(db.session, now=T0) == (2, T0 - timedelta(minutes=30))
    timers.drain(app)
    assert timers.next_due(db.session) == T0 + timedelta(minutes=10)


def test_sqlite_claim_holds_the_write_lock_until_the_batch_commits(app, db, frozen, fake_fire, database_url,
                                                                  monkeypatch):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks rows instead (see test_two_claims_never_share_a_timer)")
    fake_timer(db.session, due_at=T0 - timedelta(minutes=1))
    db.session.commit()
    other = create_engine(database_url, connect_args={"timeout": 0.2})
    blocked = []

    def fire_and_probe(session, timer_id, *, now=None):
        # While the batch is open, another connection may read but not write.
        with other.connect() as conn:
            try:
                conn.execute(text("UPDATE tenant SET name = name WHERE 1 = 0"))
                conn.commit()
            except Exception as exc:  # sqlite3.OperationalError: database is locked
                blocked.append(type(exc).__name__)
        return fake_fire(session, timer_id, now=now)

    monkeypatch.setattr(timers.workflow_service, "fire_timer", fire_and_probe)
    assert timers.drain(app).fired == 1
    other.dispose()
    assert blocked == ["OperationalError"]


@pytest.mark.postgres
def test_two_claims_never_share_a_timer(app, db, frozen, fake_fire):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    for i in range(6):
        fake_timer(db.session, due_at=T0 - timedelta(minutes=i))
    db.session.commit()
    claimed: dict[str, list[int]] = {}
    first_has_claimed, second_done = threading.Event(), threading.Event()

    def claim(name: str, wait_for: threading.Event | None, signal: threading.Event) -> None:
        with app.app_context():
            session = db.session
            if wait_for is not None:
                wait_for.wait(5)
            claimed[name] = [t.id for t in timers.claim_due(session, now=T0, limit=4)]
            signal.set()
            if name == "first":
                second_done.wait(5)  # hold the locks while the second claims
            session.rollback()

    first = threading.Thread(target=claim, args=("first", None, first_has_claimed))
    second = threading.Thread(target=claim, args=("second", first_has_claimed, second_done))
    first.start()
    second.start()
    first.join()
    second.join()
    assert len(claimed["first"]) == 4 and len(claimed["second"]) == 2
    assert not set(claimed["first"]) & set(claimed["second"])


@pytest.mark.postgres
def test_a_user_step_holding_the_instance_is_skipped_not_waited_for(app, db, frozen, fake_fire):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    busy = fake_timer(db.session, due_at=T0 - timedelta(minutes=2))
    free = fake_timer(db.session, due_at=T0 - timedelta(minutes=1))
    db.session.commit()
    holding, release = threading.Event(), threading.Event()

    def user_step() -> None:  # what steps.step does first: lock the instance row
        with app.app_context():
            db.session.execute(text("SELECT id FROM process_instance WHERE id = :id FOR UPDATE"),
                               {"id": busy.instance_id})
            holding.set()
            release.wait(5)
            db.session.rollback()

    thread = threading.Thread(target=user_step)
    thread.start()
    holding.wait(5)
    try:
        result = timers.drain(app)
    finally:
        release.set()
        thread.join()
    assert fake_fire.fired == [free.id] and result.fired == 1
    assert timers.drain(app).fired == 1  # the step is over: now it fires
