"""The scheduler: wakes waiting BPMN timers and runs the domains' periodic jobs (DESIGN §3).

``init_scheduler(app)`` registers the ``flask scheduler`` commands and, when
``SCHEDULER_ENABLED`` is true and this process serves web requests, starts one embedded
runner. Deployments with several web workers leave it off there and run
``flask scheduler run`` (one or more processes) instead. Nothing starts at import.
"""
from __future__ import annotations

import atexit
import logging
import os

import click
from flask import Flask

log = logging.getLogger("scheduler")

EXTENSION = "yunguan.scheduler"


def init_scheduler(app: Flask, *, start: bool | None = None) -> None:
    """Register the CLI; start the embedded runner if this process should have one.

    ``start`` overrides the decision (a test that wants a live runner passes True).
    """
    from scheduler.cli import scheduler_cli

    app.cli.add_command(scheduler_cli)
    app.extensions.setdefault(EXTENSION, None)
    if start is None:
        start = should_embed(app)
    if start:
        start_embedded(app)


def should_embed(app: Flask) -> bool:
    """Only where requests are served, once: not in tests, not in CLI commands other than
    ``flask run``, and not in the reloader's parent process (it serves nothing; its child,
    which has ``WERKZEUG_RUN_MAIN=true``, does)."""
    if not app.config.get("SCHEDULER_ENABLED") or app.testing:
        return False
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return True  # imported by a WSGI server (gunicorn wsgi:app)
    from flask.cli import run_command

    if ctx.command is not run_command:
        return False  # flask db upgrade, flask scheduler run, …: never a second scheduler
    reload = ctx.params.get("reload")
    if reload is None:
        from flask.helpers import get_debug_flag

        reload = get_debug_flag()
    return not reload or os.environ.get("WERKZEUG_RUN_MAIN") == "true"


def start_embedded(app: Flask):
    """Start the runner in background threads of this process; stopped at exit."""
    from scheduler.runner import Runner

    runner = app.extensions.get(EXTENSION)
    if runner is not None:
        return runner
    runner = Runner(app)
    runner.start()
    app.extensions[EXTENSION] = runner
    atexit.register(runner.shutdown, wait=False)
    return runner


def stop_embedded(app: Flask) -> None:
    runner = app.extensions.get(EXTENSION)
    if runner is not None:
        runner.shutdown()
        app.extensions[EXTENSION] = None
