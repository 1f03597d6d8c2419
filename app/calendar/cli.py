"""``flask calendar …``: load the official lists, show a year, record an admin's corrections.

Each command calls one service and commits. Register with ``app.cli.add_command(calendar_cli)``.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import click
from flask.cli import AppGroup

from app.calendar import service as calendar_service
from app.errors import DomainError
from app.extensions import db

calendar_cli = AppGroup("calendar", help="The PRC working-day calendar (holidays and makeup workdays).")
WEEKDAYS = "一二三四五六日"
T = TypeVar("T")


def _commit_or_fail(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        result = call(db.session, *args, **kwargs)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc.message} {exc.fields or ''}".strip()) from exc
    db.session.commit()
    return result


@calendar_cli.command("seed")
@click.option("--year", "years", type=int, multiple=True, help="only this year (repeatable); default: all")
def seed(years: tuple[int, ...]) -> None:
    """Load the holidays of the installed chinese-calendar package (idempotent; admin edits are kept)."""
    loaded = _commit_or_fail(calendar_service.seed_from_package, list(years) or None)
    click.echo(f"{calendar_service.package_label()}: {len(loaded)} years loaded ({loaded[0]}–{loaded[-1]})")


@calendar_cli.command("show")
@click.argument("year", type=int)
def show(year: int) -> None:
    """List YEAR's holidays and makeup workdays and say whether the year is official."""
    summary = calendar_service.year_summary(db.session, year)
    if summary.published:
        status = f"published ({summary.source}: {summary.loaded_by}, {summary.loaded_at:%Y-%m-%d})"
    else:
        status = "NOT published: deadlines in this year are provisional (weekdays only)"
    click.echo(f"{year}: {status}")
    click.echo(f"working days: {summary.workdays}")
    for row in summary.days:
        parts = [str(row.day), f"周{WEEKDAYS[row.day.weekday()]}", "上班" if row.is_workday else "放假",
                 row.name, row.note, f"[{row.source}]"]
        click.echo(" ".join(part for part in parts if part))


@calendar_cli.command("set")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--workday/--holiday", "is_workday", required=True, help="a working day, or a day off")
@click.option("--name", default="", help="e.g. 国庆节")
@click.option("--note", default="", help="e.g. 调休上班, or the notice it comes from")
@click.option("--by", "actor_name", required=True, help="who makes the change")
def set_(day: datetime, is_workday: bool, name: str, note: str, actor_name: str) -> None:
    """Record DAY (YYYY-MM-DD) as a working day or a day off; it wins over the package."""
    _commit_or_fail(calendar_service.set_day, day.date(), is_workday, name, actor_name, note=note)
    click.echo(f"{day:%Y-%m-%d}: {'working day' if is_workday else 'day off'}")


@calendar_cli.command("clear")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--by", "actor_name", required=True, help="who makes the change")
def clear(day: datetime, actor_name: str) -> None:
    """Drop the entry for DAY: back to the package's data, or to the Mon–Fri rule."""
    restored = _commit_or_fail(calendar_service.clear_day, day.date(), actor_name)
    click.echo(f"{day:%Y-%m-%d}: " + (f"back to the package ({restored.name})" if restored else "Mon–Fri rule"))


@calendar_cli.command("publish")
@click.argument("year", type=int)
@click.option("--by", "actor_name", required=True, help="who makes the change")
def publish(year: int, actor_name: str) -> None:
    """Declare YEAR's list complete: its deadlines stop being provisional."""
    _commit_or_fail(calendar_service.publish_year, year, actor_name)
    click.echo(f"{year}: published")
