"""Working-day arithmetic on an in-memory calendar: no database, no clock, Civil Code counting.

Counting (中华人民共和国民法典, 第一编 第十章 "期间计算"):

- art. 201: a period in days or months starts the day after the start day (the start day is not counted);
- art. 202: a period of months ends on the same date of the target month, or on that month's last day
  when it has no such date (Jan 31 + 1 month = Feb 28/29);
- art. 203: a last day that is not a working day moves to the next working day; the last day ends at 24:00.

Days are PRC civil days: a datetime is read in Asia/Shanghai whatever the server's zone, because the
State Council's calendar is. A year not in ``published_years`` is counted on weekdays only and every
result touching it is flagged ``provisional`` — never an error, so deadlines keep working on 1 January.
"""
from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TypeAlias
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
ONE_DAY = timedelta(days=1)
# Longest run of non-working days searched before giving up: only a mis-edited table gets there.
MAX_GAP_DAYS = 366

Moment: TypeAlias = date | datetime


def local_date(value: Moment) -> date:
    """The PRC calendar day of ``value``; a datetime must be timezone-aware."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: give a timezone-aware one")
        return value.astimezone(SHANGHAI).date()
    return value


def end_of(day: date) -> datetime:
    """The last moment of ``day``: art. 203 ends a period at 24:00, i.e. 00:00 of the next day."""
    return datetime.combine(day + ONE_DAY, time(0), tzinfo=SHANGHAI)


def shift_months(day: date, months: int) -> date:
    """Art. 202: the same date ``months`` later (earlier if negative), or that month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed deadline. ``value`` is a date for a date start, else an aware datetime in
    Asia/Shanghai; ``day`` is the last day of the period (the day before ``value``'s date when
    ``value`` is 24:00, i.e. 00:00 of the next day, see :func:`end_of`); ``provisional`` says
    a day in an unpublished year was counted, so the result may change when that year is loaded."""

    value: date | datetime
    provisional: bool
    day: date = field(default=None)  # type: ignore[assignment]  # filled from value when not given

    def __post_init__(self) -> None:
        if self.day is None:
            object.__setattr__(self, "day", local_date(self.value))


def _same_kind(start: Moment, day: date) -> Moment:
    """``day`` as the same kind as ``start``: a date, or a datetime at the start's local time of day."""
    if isinstance(start, datetime):
        return datetime.combine(day, start.astimezone(SHANGHAI).time(), tzinfo=SHANGHAI)
    return day


class WorkCalendar:
    """Immutable and cheap: a dict of exceptions to the Mon–Fri rule and a set of published years."""

    __slots__ = ("_exceptions", "_published")

    def __init__(self, exceptions: Mapping[date, bool], published_years: Iterable[int]) -> None:
        self._exceptions: dict[date, bool] = dict(exceptions)
        self._published: frozenset[int] = frozenset(published_years)

    @property
    def published_years(self) -> frozenset[int]:
        return self._published

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkCalendar):
            return NotImplemented
        return self._exceptions == other._exceptions and self._published == other._published

    __hash__ = None  # type: ignore[assignment]  # equal by contents, and the dict is not hashable

    def __repr__(self) -> str:
        years = sorted(self._published)
        span = f"{years[0]}–{years[-1]}" if years else "none"
        return f"<WorkCalendar {len(self._exceptions)} exceptions, published {span}>"

    # -- single days -------------------------------------------------------------------------
    def is_workday(self, d: Moment) -> bool:
        return self._is_workday(local_date(d))

    def _is_workday(self, day: date) -> bool:
        override = self._exceptions.get(day)
        return day.weekday() < 5 if override is None else override

    def is_provisional(self, d: Moment) -> bool:
        """True when ``d``'s year has no official list (yet): it is counted on weekdays only."""
        return local_date(d).year not in self._published

    def _provisional_span(self, a: date, b: date) -> bool:
        low, high = (a, b) if a <= b else (b, a)
        return any(year not in self._published for year in range(low.year, high.year + 1))

    def _step(self, day: date, direction: int) -> date:
        delta = timedelta(days=direction)
        for _ in range(MAX_GAP_DAYS):
            day += delta
            if self._is_workday(day):
                return day
        raise ValueError(f"no working day within {MAX_GAP_DAYS} days of {day}: check the calendar table")

    def next_workday(self, d: Moment) -> date:
        """The first working day strictly after ``d``."""
        return self._step(local_date(d), 1)

    def previous_workday(self, d: Moment) -> date:
        """The last working day strictly before ``d``."""
        return self._step(local_date(d), -1)

    def roll_forward(self, d: Moment) -> date:
        """Art. 203: ``d`` if it is a working day, else the next working day."""
        day = local_date(d)
        return day if self._is_workday(day) else self._step(day, 1)

    def roll_back(self, d: Moment) -> date:
        """``d`` if it is a working day, else the previous working day."""
        day = local_date(d)
        return day if self._is_workday(day) else self._step(day, -1)

    # -- periods -----------------------------------------------------------------------------
    def add_workdays(self, start: Moment, n: int) -> Deadline:
        """``n`` working days after ``start`` (before it when ``n`` < 0); ``n`` = 0 gives ``start``.

        Art. 201: the start day is not counted, whatever it is. The result is a working day by
        construction, so art. 203 never has to move it."""
        first = day = local_date(start)
        direction = 1 if n >= 0 else -1
        for _ in range(abs(n)):
            day = self._step(day, direction)
        provisional = bool(n) and self._provisional_span(first + timedelta(days=direction), day)
        return Deadline(_same_kind(start, day), provisional)

    def add_months(self, start: Moment, n: int) -> Deadline:
        """``n`` months after ``start``: art. 202 picks the day, art. 203 moves it to a working day.

        For ``n`` < 0 ("n months before") the day moves back to the previous working day instead:
        the Civil Code is silent on periods counted backwards, and moving back keeps the full period."""
        target = shift_months(local_date(start), n)  # art. 202
        day = self.roll_forward(target) if n >= 0 else self.roll_back(target)  # art. 203
        return Deadline(_same_kind(start, day), self._provisional_span(target, day))

    def workdays_between(self, a: Moment, b: Moment) -> int:
        """Working days after ``a`` up to and including ``b`` (art. 201); negative when ``b`` < ``a``
        (then: working days from ``b`` up to, not including, ``a``). For a working day ``b``,
        ``add_workdays(a, workdays_between(a, b))`` is ``b``."""
        start, end = local_date(a), local_date(b)
        if end < start:
            return -self.workdays_between(end - ONE_DAY, start - ONE_DAY)
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            count += self._is_workday(day)
        return count

    def at_least_workdays_before(self, request_day: Moment, expiry: Moment, n: int) -> bool:
        """M.23, M.24: an extension request must arrive at least ``n`` working days before expiry,
        i.e. the request day plus ``n`` working days is no later than the expiry day (DESIGN §4)."""
        return self.add_workdays(local_date(request_day), n).day <= local_date(expiry)

    def latest_request_day(self, expiry: Moment, n: int) -> Deadline:
        """The last day on which :meth:`at_least_workdays_before` still holds, for "apply by …"."""
        if n < 0:
            raise ValueError("n must be zero or more working days")
        expiry_day = local_date(expiry)
        if n == 0:
            return Deadline(expiry_day, self.is_provisional(expiry_day))
        # The n-th working day counted back from the last working day on or before the expiry
        # (inclusive) must lie after the request day.
        nth = self.add_workdays(self.roll_back(expiry_day), -(n - 1)).day
        day = nth - ONE_DAY
        return Deadline(day, self._provisional_span(day, expiry_day))

    # -- helpers for the workflow engine (timers, due dates) ----------------------------------
    def workdays(self, n: int, start: Moment | None = None, *, now: datetime,
                 end_of_day: bool = False) -> Deadline:
        """The moment ``n`` working days after ``start`` (default ``now``), as an aware datetime in
        Asia/Shanghai. A datetime start keeps its time of day; a date start (or ``end_of_day``)
        gives 24:00 of the last day, when art. 203 ends the period."""
        return self._moment(self.add_workdays, n, start, now, end_of_day)

    def months(self, n: int, start: Moment | None = None, *, now: datetime,
               end_of_day: bool = False) -> Deadline:
        """Like :meth:`workdays` for a period of ``n`` months (arts. 202, 203)."""
        return self._moment(self.add_months, n, start, now, end_of_day)

    @staticmethod
    def _moment(add: Callable[[Moment, int], Deadline], n: int, start: Moment | None, now: datetime,
                end_of_day: bool) -> Deadline:
        local_date(now)  # refuses a naive clock
        base = now if start is None else start
        result = add(base, n)
        if end_of_day or not isinstance(base, datetime):
            return Deadline(end_of(result.day), result.provisional, result.day)
        return result
