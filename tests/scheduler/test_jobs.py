"""Periodic jobs: the wrapper (context, session, rollback, run record), the lock, the registry."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.calendar import service as calendar_service
from app.jobs import registry
from app.jobs.models import JobRun
from app.workflow.models import ProcessDefinition
from scheduler.jobs import run_job
from tests.scheduler.conftest import T0, fake_definition


def spec(func, name: str = "test.job", timeout_minutes: int = 30) -> registry.JobSpec:
    return registry.JobSpec(name, func, "interval", {"hours": 1}, timedelta(minutes=timeout_minutes), "a test job")


def runs(session, name: str = "test.job") -> list[JobRun]:
    session.expire_all()
    return list(session.scalars(select(JobRun).where(JobRun.job == name).order_by(JobRun.id)))


def test_a_job_runs_in_its_own_session_and_its_run_is_recorded(app, db, frozen):
    def job(ctx: registry.JobContext) -> str:
        fake_definition(ctx.session, key="made_by_job")
        assert ctx.now == T0 and ctx.today.isoformat() == "2026-03-02"
        return "made one"

    run = run_job(app, spec(job))

    assert (run.status, run.message, run.error, run.trigger) == ("ok", "made one", None, "schedule")
    assert run.started_at == T0 and run.ended_at >= T0
    assert db.session.scalar(select(ProcessDefinition.key)) == "made_by_job"  # committed by the wrapper


def test_a_failing_job_is_rolled_back_and_recorded_as_failed(app, db, frozen):
    def job(ctx):
        fake_definition(ctx.session, key="half_done")
        ctx.session.flush()
        raise ValueError("no settlement data for 2026-02")

    run = run_job(app, spec(job))

    assert run.status == "failed"
    assert run.message == "ValueError: no settlement data for 2026-02"
    assert "Traceback" in run.error and "no settlement data" in run.error
    assert db.session.scalar(select(ProcessDefinition.key)) is None
    # Failing released the lock: the next run goes ahead.
    assert run_job(app, spec(lambda ctx: None)).status == "ok"


def test_warnings_give_the_run_a_warning_outcome(app, db, frozen):
    def job(ctx):
        ctx.warn("next year's holidays are missing")
        return "checked"

    run = run_job(app, spec(job))
    assert run.status == "warning"
    assert run.message == "next year's holidays are missing\nchecked"


def test_a_job_cannot_run_twice_at_once(app, db, frozen):
    entered, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow(ctx):
        calls.append(1)
        entered.set()
        release.wait(5)
        return "slow"

    results: list = []
    first = threading.Thread(target=lambda: results.append(run_job(app, spec(slow))))
    first.start()
    assert entered.wait(5)
    try:
        second = run_job(app, spec(slow))  # another process, as far as the database can tell
    finally:
        release.set()
        first.join()
    assert second is None and calls == [1]
    assert [r.status for r in runs(db.session)] == ["ok"]


def test_a_crashed_run_is_released_after_its_timeout(app, db, frozen):
    db.session.add(JobRun(job="test.job", status="running", owner="elsewhere:4242", started_at=T0))
    db.session.commit()

    assert run_job(app, spec(lambda ctx: "again"), now=T0 + timedelta(minutes=10)) is None
    run = run_job(app, spec(lambda ctx: "again"), now=T0 + timedelta(minutes=31))
    assert run.status == "ok"
    assert [r.status for r in runs(db.session)] == ["abandoned", "ok"]


def test_a_run_of_a_dead_process_on_this_host_is_released_at_once(app, db, frozen):
    import socket
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    db.session.add(JobRun(job="test.job", status="running", owner=f"{socket.gethostname()}:{dead}",
                          started_at=T0))
    db.session.commit()

    assert run_job(app, spec(lambda ctx: None)).status == "ok"
    abandoned = runs(db.session)[0]
    assert abandoned.status == "abandoned" and "stopped before the end" in abandoned.error


def test_the_registry_collects_the_domains_jobs_and_refuses_mistakes(monkeypatch):
    import sys
    import types

    jobs = registry.load()
    assert "calendar.next_year_check" in jobs
    assert jobs["calendar.next_year_check"].trigger == "cron"

    with pytest.raises(ValueError, match="exactly one"):
        registry.periodic("x.y")
    with pytest.raises(ValueError, match="unknown cron fields"):
        registry.periodic("x.y", cron={"hours": 9})

    first, second = types.ModuleType("fake_jobs_a"), types.ModuleType("fake_jobs_b")

    @registry.periodic("x.first", interval={"minutes": 5})
    def job_a(ctx):
        """Does the first thing.

        At length."""

    @registry.periodic("x.first", interval={"minutes": 5})
    def job_b(ctx):
        pass

    first.job_a, second.job_b = job_a, job_b
    monkeypatch.setitem(sys.modules, "fake_jobs_a", first)
    monkeypatch.setitem(sys.modules, "fake_jobs_b", second)
    assert registry.load(("fake_jobs_a",))["x.first"].description == "Does the first thing."
    with pytest.raises(ValueError, match="declared twice"):
        registry.load(("fake_jobs_a", "fake_jobs_b"))


# -- the calendar's check ---------------------------------------------------------------------
def _published(session, *years: int) -> None:
    for year in years:
        calendar_service.publish_year(session, year, "test")
    session.commit()


def test_next_year_check_warns_in_november_when_next_years_holidays_are_missing(app, db):
    _published(db.session, 2026)
    check = registry.load()["calendar.next_year_check"]
    november = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)

    run = run_job(app, check, now=november)
    assert run.status == "warning"
    assert "2027" in run.message and "provisional" in run.message

    _published(db.session, 2027)
    run = run_job(app, check, now=november + timedelta(days=1))
    assert (run.status, run.message) == ("ok", "calendar complete for 2026 and 2027")


def test_next_year_check_is_quiet_before_november(app, db):
    _published(db.session, 2026)
    run = run_job(app, registry.load()["calendar.next_year_check"], now=datetime(2026, 6, 1, 1, tzinfo=UTC))
    assert (run.status, run.message) == ("ok", "calendar complete for 2026")


def test_a_process_started_on_a_schedule_starts_once_per_occurrence(app, db, frozen, monkeypatch):
    import sys
    import types

    from app.security import all_tenants
    from app.workflow.models import ProcessInstance
    from tests.scheduler.conftest import deploy

    deploy(db.session, "sched_boundary.bpmn")
    db.session.commit()
    module = types.ModuleType("fake_domain_jobs")
    module.daily_review = registry.start_process("review.daily", process_key="sched_boundary",
                                                 cron={"hour": 9}, variables={"origin": "schedule"})
    monkeypatch.setitem(sys.modules, "fake_domain_jobs", module)
    job = registry.load(("fake_domain_jobs",))["review.daily"]
    assert job.schedule == {"hour": 9} and job.description == "Starts sched_boundary on schedule."

    first = run_job(app, job)
    again = run_job(app, job, trigger="manual")  # the same occurrence, run again by hand

    instances = db.session.scalars(all_tenants(select(ProcessInstance))).all()
    assert len(instances) == 1
    [instance] = instances
    assert (instance.business_key, instance.tenant_id, instance.started_by) == (
        "review.daily@2026-03-02T09:00", "city", "system")
    assert first.message == f"started sched_boundary instance {instance.id} (review.daily@2026-03-02T09:00)"
    assert again.status == "ok" and "already started" in again.message

    frozen.advance(days=1)
    assert run_job(app, job).message.startswith("started sched_boundary")
