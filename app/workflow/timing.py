"""Time as diagrams see it: working-day functions, task due dates, provisional flags.

DESIGN §4: durations in working days follow the PRC calendar; a deadline in a year whose
holidays are not yet published is computed on weekdays and marked provisional.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app, has_app_context

from app import clock
from app.calendar import service as calendar_service
from app.extensions import db

_timer_listeners: list[Callable[[datetime], None]] = []


def work_calendar():
    return calendar_service.calendar(db.session)


def is_provisional(moment: datetime | date | None) -> bool:
    if moment is None or not has_app_context():
        return False
    return work_calendar().is_provisional(moment)


def script_functions() -> dict[str, Callable[..., Any]]:
    """Functions offered to expressions (CONTRACT: ``workdays(n[, date])``) and date helpers."""

    def workdays(n: int, start: datetime | date | str | None = None) -> datetime:
        if isinstance(start, str):
            start = datetime.fromisoformat(start) if "T" in start else date.fromisoformat(start)
        return work_calendar().workdays(int(n), start, now=clock.now()).value

    def months(n: int, start: datetime | date | str | None = None) -> datetime:
        if isinstance(start, str):
            start = datetime.fromisoformat(start) if "T" in start else date.fromisoformat(start)
        return work_calendar().months(int(n), start, now=clock.now()).value

    def is_workday(day: date | datetime) -> bool:
        return work_calendar().is_workday(day)

    return {
        "workdays": workdays,
        "months": months,
        "is_workday": is_workday,
        "now": clock.now,
        "today": lambda: clock.now().astimezone(_shanghai()).date(),
    }


def _shanghai():
    from zoneinfo import ZoneInfo

    return ZoneInfo(current_app.config["TIMEZONE"]) if has_app_context() else ZoneInfo("Asia/Shanghai")


def evaluate_moment(engine, task, expression: str, now: datetime) -> datetime | None:
    """A due/follow-up date from ``camunda:dueDate``: an ISO date(-time), an ISO duration from now,
    or a ``${…}`` expression giving either."""
    from app.workflow.timers import to_datetime

    text = (expression or "").strip()
    if not text:
        return None
    value = engine.script_engine.evaluate(task, text) if text.startswith("${") else text
    return to_datetime(value, now=now)


def task_deadlines(engine, open_task, now: datetime) -> tuple[datetime | None, bool, datetime | None]:
    """(due, due is provisional, follow-up) for a new human task."""
    ext = open_task.extensions
    due = evaluate_moment(engine, open_task.task, ext.get("dueDate"), now) if ext.get("dueDate") else None
    follow = evaluate_moment(engine, open_task.task, ext.get("followUpDate"), now) if ext.get("followUpDate") else None
    return due, is_provisional(due), follow


def add_timer_listener(listener: Callable[[datetime], None]) -> None:
    """The scheduler registers here to hear of timers due sooner than its next poll."""
    _timer_listeners.append(listener)


def remove_timer_listener(listener: Callable[[datetime], None]) -> None:
    if listener in _timer_listeners:
        _timer_listeners.remove(listener)


# Scheduler processes listen here (PostgreSQL LISTEN): a timer created by a web process's step
# reaches a standalone ``flask scheduler run`` too. NOTIFY is sent at commit, when the row is visible.
TIMER_CHANNEL = "yunguan_timers"


def notify_new_timer(due_at: datetime, session=None) -> None:
    """Tell this process's scheduler (if any) and, on PostgreSQL, every listening scheduler process
    of a new timer, when it falls due before their next poll would find it."""
    for listener in list(_timer_listeners):
        listener(due_at)
    if session is None or session.get_bind().dialect.name != "postgresql":
        return
    poll = float(current_app.config.get("SCHEDULER_POLL_SECONDS") or 5) if has_app_context() else 5.0
    if seconds_until(due_at) < poll:
        from sqlalchemy import text

        session.connection().execute(text("SELECT pg_notify(:channel, :due)"),
                                     {"channel": TIMER_CHANNEL, "due": due_at.isoformat()})


def seconds_until(moment: datetime) -> float:
    return max(0.0, (moment - clock.now()) / timedelta(seconds=1))
