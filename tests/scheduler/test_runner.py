"""Where the scheduler runs: embedded once (never under the reloader's parent, never in tests
unless asked), standalone through ``flask scheduler``; and how it is stopped."""
from __future__ import annotations

import json
from datetime import timedelta

import click
import pytest
from flask.cli import run_command
from sqlalchemy import select

from app.jobs.models import JobRun
from scheduler import EXTENSION, init_scheduler, should_embed, stop_embedded
from scheduler.cli import scheduler_cli
from scheduler.runner import SWEEP_JOB, Runner
from tests.scheduler.conftest import T0, fake_timer, timer_rows


@pytest.fixture()
def serving(app, monkeypatch):
    """The app configured as ``make run`` configures it (tests normally keep the scheduler off)."""
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setitem(app.config, "SCHEDULER_ENABLED", True)
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    return app


def in_command(command: click.Command, **params):
    ctx = click.Context(command, info_name=command.name)
    ctx.params.update(params)
    return ctx


def test_tests_and_disabled_settings_never_start_it(app, monkeypatch):
    assert not should_embed(app)  # TESTING
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setitem(app.config, "SCHEDULER_ENABLED", False)
    assert not should_embed(app)


def test_it_starts_under_a_wsgi_server_and_flask_run_without_reloader(serving):
    assert should_embed(serving)  # no CLI: gunicorn wsgi:app
    with in_command(run_command, reload=False):
        assert should_embed(serving)  # make run: flask run --no-reload


def test_not_in_the_reloaders_parent_but_in_its_child(serving, monkeypatch):
    with in_command(run_command, reload=True):
        assert not should_embed(serving)
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
        assert should_embed(serving)
    monkeypatch.delenv("WERKZEUG_RUN_MAIN")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with in_command(run_command, reload=None):  # --debug turns the reloader on by default
        assert not should_embed(serving)


def test_not_in_other_commands(serving):
    for command in (scheduler_cli.commands["run"], click.Command("upgrade")):
        with in_command(command):
            assert not should_embed(serving), command.name


def test_embedded_runner_starts_once_and_stops(app, db, frozen):
    init_scheduler(app, start=True)
    try:
        runner = app.extensions[EXTENSION]
        assert runner.started
        init_scheduler(app, start=True)
        assert app.extensions[EXTENSION] is runner  # not a second one
        assert runner.aps.get_job(SWEEP_JOB) is not None
        check = runner.aps.get_job("calendar.next_year_check")
        assert (check.next_run_time.hour, check.next_run_time.minute) == (9, 5)
        assert str(check.next_run_time.tzinfo) == "Asia/Shanghai"
    finally:
        stop_embedded(app)
    assert app.extensions[EXTENSION] is None and not runner.started
    assert "scheduler" in app.cli.commands


def test_wake_brings_the_next_look_forward(app, db, frozen):
    runner = Runner(app, poll_seconds=3600, periodic_jobs=False)
    runner.start()
    try:
        job = runner.aps.get_job(SWEEP_JOB)
        import time

        deadline = time.monotonic() + 5
        while (runner._sweeping.locked() or job.next_run_time is None or
               (job.next_run_time - runner._aps_now()).total_seconds() < 3000) and time.monotonic() < deadline:
            time.sleep(0.02)
            job = runner.aps.get_job(SWEEP_JOB)
        assert (job.next_run_time - runner._aps_now()).total_seconds() > 3000  # nothing waits: an hour
        runner.wake(T0 + timedelta(seconds=30))  # the engine made a timer due in 30 s (app clock)
        job = runner.aps.get_job(SWEEP_JOB)
        assert 25 < (job.next_run_time - runner._aps_now()).total_seconds() <= 30
        runner.wake(T0 + timedelta(minutes=10))  # a later one changes nothing
        assert (runner.aps.get_job(SWEEP_JOB).next_run_time - runner._aps_now()).total_seconds() <= 30
    finally:
        runner.shutdown()


def test_cli_run_once_fires_what_is_due(app, db, runner, frozen, fake_fire):
    due = fake_timer(db.session, due_at=T0 - timedelta(minutes=1))
    later = fake_timer(db.session, due_at=T0 + timedelta(minutes=1))
    db.session.commit()

    result = runner.invoke(scheduler_cli, ["run", "--once"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["fired"] == 1
    rows = timer_rows(db.session)
    assert (rows[due.id].status, rows[later.id].status) == ("fired", "pending")


def test_cli_status_and_run_job(app, db, runner, frozen):
    fake_timer(db.session, due_at=T0 - timedelta(minutes=1))
    fake_timer(db.session, due_at=T0 + timedelta(minutes=1), attempts=5)
    db.session.commit()

    status = runner.invoke(scheduler_cli, ["status"])
    assert status.exit_code == 0, status.output
    assert "timers: 2 pending, 1 due now, 1 stuck" in status.output
    assert "calendar.next_year_check" in status.output and "never run" in status.output

    result = runner.invoke(scheduler_cli, ["run-job", "calendar.next_year_check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("calendar.next_year_check: warning")  # the test database has no holidays
    run = db.session.scalars(select(JobRun)).one()
    assert (run.trigger, run.status) == ("manual", "warning")

    unknown = runner.invoke(scheduler_cli, ["run-job", "nope"])
    assert unknown.exit_code == 2 and "calendar.next_year_check" in unknown.output


def test_a_timer_announced_by_another_process_brings_the_next_look_forward(app, db, frozen):
    """PostgreSQL: a step in a web process NOTIFYs; a standalone scheduler LISTENs (timing.py)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite deployments run the scheduler embedded")
    import time

    from sqlalchemy import create_engine, text

    from app.workflow.timing import TIMER_CHANNEL

    runner = Runner(app, poll_seconds=3600, periodic_jobs=False)
    runner.start()
    try:
        deadline = time.monotonic() + 5
        job = runner.aps.get_job(SWEEP_JOB)
        while (runner._sweeping.locked() or job.next_run_time is None or
               (job.next_run_time - runner._aps_now()).total_seconds() < 3000) and time.monotonic() < deadline:
            time.sleep(0.02)
            job = runner.aps.get_job(SWEEP_JOB)
        other = create_engine(db.engine.url)  # another connection, as another process would have
        with other.begin() as conn:  # delivered at commit, when the timer row is visible
            conn.execute(text("SELECT pg_notify(:c, :due)"),
                         {"c": TIMER_CHANNEL, "due": (T0 + timedelta(seconds=30)).isoformat()})
        other.dispose()
        deadline = time.monotonic() + 5
        while (runner.aps.get_job(SWEEP_JOB).next_run_time - runner._aps_now()).total_seconds() > 30 \
                and time.monotonic() < deadline:
            time.sleep(0.02)
        assert (runner.aps.get_job(SWEEP_JOB).next_run_time - runner._aps_now()).total_seconds() <= 30
    finally:
        runner.shutdown()
