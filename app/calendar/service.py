"""The working-day calendar: seeding from ``chinese_calendar``, admin edits, and the cached calendar.

Every deadline and timer asks :func:`calendar` for the current :class:`WorkCalendar`; it is rebuilt
from the tables only when they changed. Within this process a change made through the services
below takes effect at once (and again at commit or rollback); a change made by another process
(another WSGI worker, the scheduler) is noticed within ``RECHECK_SECONDS``.

Services flush, never commit: the edge (CLI command, view, job) commits.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from importlib.metadata import version

from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.calendar.models import ADMIN, PACKAGE, CalendarDay, CalendarYear
from app.calendar.rules import SHANGHAI, Deadline, WorkCalendar, local_date
from app.errors import ValidationFailed
from app.extensions import utcnow

__all__ = [
    "SHANGHAI", "Deadline", "WorkCalendar", "YearSummary", "calendar", "clear_day", "get_year",
    "invalidate", "list_days", "package_years", "publish_year", "seed_from_package", "set_day",
    "year_summary", "years_needing_data",
]

log = logging.getLogger(__name__)

RECHECK_SECONDS = 10.0
ANNOUNCEMENT_MONTH = 11  # the State Council announces next year's holidays around November
MAKEUP_NOTE, HOLIDAY_NOTE = "调休上班", "放假"
# chinese_calendar names its holidays in English.
NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


# -- the package ---------------------------------------------------------------------------------
def package_label() -> str:
    return f"chinese-calendar {version('chinese-calendar')}"


def package_years() -> list[int]:
    """The years for which the installed ``chinese_calendar`` holds the official lists."""
    from chinese_calendar.constants import holidays, workdays

    return sorted({d.year for d in holidays} | {d.year for d in workdays})


def package_exceptions(year: int) -> dict[date, tuple[bool, str, str]]:
    """The package's exceptions to the Mon–Fri rule in ``year``: day -> (is_workday, name, note).
    A holiday falling on a weekend changes nothing and is not an exception."""
    from chinese_calendar.constants import holidays, workdays

    found: dict[date, tuple[bool, str, str]] = {}
    for day, name in holidays.items():
        if day.year == year and day.weekday() < 5:
            found[day] = (False, NAMES_ZH.get(name, name), HOLIDAY_NOTE)
    for day, name in workdays.items():
        if day.year == year and day.weekday() >= 5:
            found[day] = (True, NAMES_ZH.get(name, name), MAKEUP_NOTE)
    return found


# -- writes --------------------------------------------------------------------------------------
def seed_from_package(session: Session, years: Iterable[int] | None = None) -> list[int]:
    """Load the package's holidays and makeup workdays for ``years`` (default: all it has) and
    mark those years published. Idempotent; rows an admin edited are never overwritten, and
    package rows the package no longer lists are removed. Returns the years loaded."""
    available = package_years()
    wanted = available if years is None else sorted(set(years))
    missing = [year for year in wanted if year not in available]
    if missing:
        raise ValidationFailed(
            _("chinese-calendar %(label)s has no data for %(years)s: enter those days by hand and publish "
              "the year.", label=package_label(), years=", ".join(map(str, missing))),
            fields={"years": [str(year) for year in missing]},
        )
    label, now = package_label(), utcnow()
    changed = [year for year in wanted if _seed_year(session, year, label, now)]
    session.flush()
    if changed:
        _mark_changed(session)
        log.info("calendar: seeded from %s, changed years %s", label, changed)
    return wanted


def _seed_year(session: Session, year: int, label: str, now: datetime) -> bool:
    rows = {row.day: row for row in list_days(session, year)}
    wanted = package_exceptions(year)
    changed = False
    for day, (is_workday, name, note) in wanted.items():
        row = rows.get(day)
        if row is None:
            session.add(CalendarDay(day=day, is_workday=is_workday, name=name, note=note, source=PACKAGE,
                                    updated_at=now, updated_by=label))
            changed = True
        elif row.source == PACKAGE and (row.is_workday, row.name, row.note) != (is_workday, name, note):
            row.is_workday, row.name, row.note, row.updated_at, row.updated_by = is_workday, name, note, now, label
            changed = True
    for day, row in rows.items():
        if row.source == PACKAGE and day not in wanted:
            session.delete(row)
            changed = True
    year_row = session.get(CalendarYear, year)
    if year_row is None:
        session.add(CalendarYear(year=year, published=True, source=PACKAGE, loaded_at=now, loaded_by=label))
        changed = True
    elif year_row.source == PACKAGE and not year_row.published:
        year_row.published, year_row.loaded_at, year_row.loaded_by = True, now, label
        changed = True
    return changed


def _check_actor(actor_name: str) -> str:
    actor_name = (actor_name or "").strip()
    if not actor_name:
        raise ValidationFailed(_("Say who makes the change."), fields={"actor_name": [_("Required.")]})
    return actor_name[:64]


def set_day(session: Session, day: date, is_workday: bool, name: str, actor_name: str, *,
            note: str = "") -> CalendarDay:
    """An admin's decision for one day (a holiday, a makeup workday, or a correction back to the
    Mon–Fri rule). It wins over the package from now on, including over later re-seeding.
    It does not publish the year: see :func:`publish_year`."""
    actor_name = _check_actor(actor_name)
    if isinstance(day, datetime):
        day = local_date(day)
    fields = {}
    if len(name or "") > 64:
        fields["name"] = [_("At most %(n)s characters.", n=64)]
    if len(note or "") > 200:
        fields["note"] = [_("At most %(n)s characters.", n=200)]
    if fields:
        raise ValidationFailed(_("Some fields are invalid."), fields=fields)
    row = session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day)
        session.add(row)
    row.is_workday, row.name, row.note = bool(is_workday), (name or "").strip(), (note or "").strip()
    row.source, row.updated_at, row.updated_by = ADMIN, utcnow(), actor_name
    session.flush()
    _mark_changed(session)
    log.info("calendar: %s set %s to %s (%s)", actor_name, day, "workday" if is_workday else "holiday", name)
    return row


def clear_day(session: Session, day: date, actor_name: str) -> CalendarDay | None:
    """Undo an admin's decision: the day goes back to the package's data (returned) if the package
    has the year, else to the Mon–Fri rule (None)."""
    actor_name = _check_actor(actor_name)
    row = session.get(CalendarDay, day)
    if row is not None:
        session.delete(row)
        session.flush()
    restored = None
    if day.year in package_years() and day in (exceptions := package_exceptions(day.year)):
        is_workday, name, note = exceptions[day]
        restored = CalendarDay(day=day, is_workday=is_workday, name=name, note=note, source=PACKAGE,
                               updated_at=utcnow(), updated_by=package_label())
        session.add(restored)
        session.flush()
    _mark_changed(session)
    log.info("calendar: %s cleared %s", actor_name, day)
    return restored


def publish_year(session: Session, year: int, actor_name: str = "system") -> CalendarYear:
    """Declare ``year``'s list complete (e.g. after entering 2027's days by hand with :func:`set_day`):
    from now on its dates are exact, no longer provisional."""
    actor_name = _check_actor(actor_name)
    if not 1949 <= year <= 2200:
        raise ValidationFailed(_("Not a plausible year."), fields={"year": [str(year)]})
    row = session.get(CalendarYear, year)
    if row is not None and row.published:
        return row
    if row is None:
        row = CalendarYear(year=year)
        session.add(row)
    row.published, row.source, row.loaded_at, row.loaded_by = True, ADMIN, utcnow(), actor_name
    session.flush()
    _mark_changed(session)
    log.info("calendar: %s published %s", actor_name, year)
    return row


# -- reads ---------------------------------------------------------------------------------------
def list_days(session: Session, year: int) -> list[CalendarDay]:
    stmt = select(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
    return list(session.scalars(stmt.order_by(CalendarDay.day)))


def get_year(session: Session, year: int) -> CalendarYear | None:
    return session.get(CalendarYear, year)


@dataclass(frozen=True)
class YearSummary:
    year: int
    published: bool
    source: str | None
    loaded_at: datetime | None
    loaded_by: str | None
    workdays: int
    days: list[CalendarDay]


def year_summary(session: Session, year: int) -> YearSummary:
    row = get_year(session, year)
    count = calendar(session, max_age=0).workdays_between(date(year - 1, 12, 31), date(year, 12, 31))
    return YearSummary(year, bool(row and row.published), row.source if row else None,
                       row.loaded_at if row else None, row.loaded_by if row else None, count,
                       list_days(session, year))


def years_needing_data(session: Session, *, today: date) -> list[int]:
    """Years whose deadlines are provisional and soon matter: this year, and from November
    (when the State Council announces it) next year too."""
    years = [today.year] + ([today.year + 1] if today.month >= ANNOUNCEMENT_MONTH else [])
    return [year for year in years if calendar(session).is_provisional(date(year, 1, 1))]


# -- the cached calendar -------------------------------------------------------------------------
@dataclass(frozen=True)
class _Entry:
    calendar: WorkCalendar
    checked_at: float


class _Cache:
    """One entry, swapped whole; ``generation`` stops a slow reload from storing stale data."""

    def __init__(self) -> None:
        self.entry: _Entry | None = None
        self.generation = 0
        self.lock = threading.Lock()


_cache = _Cache()
_CHANGED = "calendar_changed"


def invalidate() -> None:
    """Forget the cached calendar in this process; the next :func:`calendar` call reloads it."""
    with _cache.lock:
        _cache.generation += 1
        _cache.entry = None


def calendar(session: Session, *, max_age: float = RECHECK_SECONDS) -> WorkCalendar:
    """The current calendar. Costs a clock read while the cache is younger than ``max_age``
    seconds; then the two small tables are read again (a few hundred rows) and the calendar is
    replaced only if what it holds changed. Comparing contents rather than change times keeps
    this right when the servers' clocks disagree."""
    entry, now = _cache.entry, time.monotonic()
    if entry is not None and now - entry.checked_at < max_age:
        return entry.calendar
    generation = _cache.generation
    loaded = _load(session)
    built = entry.calendar if entry is not None and entry.calendar == loaded else loaded
    with _cache.lock:
        if _cache.generation == generation:
            _cache.entry = _Entry(built, now)
    return built


def _load(session: Session) -> WorkCalendar:
    rows = session.execute(select(CalendarDay.day, CalendarDay.is_workday))
    published = session.scalars(select(CalendarYear.year).where(CalendarYear.published))
    return WorkCalendar({day: is_workday for day, is_workday in rows}, published)


def _mark_changed(session: Session) -> None:
    session.info[_CHANGED] = True
    invalidate()


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _invalidate_after_transaction(session: Session) -> None:
    # A calendar built from flushed rows must not outlive their rollback, nor one built by another
    # thread before the commit outlive the commit.
    if session.info.pop(_CHANGED, False):
        invalidate()
