"""ISO 8601 timer values as Camunda users write them, turned into what SpiffWorkflow 3.2.0 runs.

ENGINE-NOTES "Timers": SpiffWorkflow evaluates a timer's text and needs a *string* back — a
duration, an aware date or an ``R…`` cycle. Three things it does differently from Camunda 7,
measured on 3.2.0 (``bpmn/specs/event_definitions/timer.py``):

- **Months and years in a duration** are turned into days by adding the lengths of the months
  counted from the *UTC* calendar month of "now", not clamped to the month's end: ``P1M`` from
  31 January is 3 March (Camunda: 28 February), and from 05:00 on 1 March in Shanghai (still
  28 February in UTC) it is 28 days, not 31. ``iso_duration`` below computes calendar months
  in Asia/Shanghai with end-of-month clamping (``dateutil.relativedelta``, as Camunda does) and
  hands SpiffWorkflow the exact number of seconds.
- **In a cycle** (``R12/P1M``) the first period's length is reused for every repetition, so a
  monthly cycle drifts; cycles with months or years are refused at deploy time.
- **A naive date** is read in the server's local zone; we make every value aware in Asia/Shanghai.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from app.workflow.sandbox import SHANGHAI

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$",
    re.IGNORECASE,
)
_CRON = re.compile(r"^\S+(\s+\S+){4,6}$")


def utcnow() -> datetime:
    """The clock SpiffWorkflow's timers use (``datetime.now(timezone.utc)``); patch both together."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Duration:
    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: float = 0.0

    @property
    def calendar(self) -> bool:
        """True when the length depends on the start (months or years)."""
        return bool(self.years or self.months)

    def add_to(self, start: datetime) -> datetime:
        """``start`` plus this duration, months counted on Shanghai's calendar, clamped to month end."""
        local = aware(start).astimezone(SHANGHAI)
        return local + relativedelta(
            years=self.years, months=self.months, weeks=self.weeks, days=self.days,
            hours=self.hours, minutes=self.minutes, seconds=self.seconds,
        )


def parse_duration(text: str) -> Duration:
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an ISO 8601 duration (e.g. PT24H, P3D, P1M)")
    parts = {k: v for k, v in match.groupdict().items() if v is not None}
    if "weeks" in parts and len(parts) > 1:
        raise ValueError(f"{text!r}: weeks cannot be combined with other units in SpiffWorkflow")
    seconds = float(parts.pop("seconds", "0").replace(",", "."))
    return Duration(seconds=seconds, **{k: int(v) for k, v in parts.items()})


def aware(value: datetime) -> datetime:
    # ENGINE-NOTES: a naive date is read in the server's zone; Yunguan's zone is Asia/Shanghai.
    return value if value.tzinfo is not None else value.replace(tzinfo=SHANGHAI)


def parse_datetime(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date/time (e.g. 2026-12-01T09:00:00+08:00)") from None
    return aware(value)


def duration_string(delta: timedelta) -> str:
    """A timedelta as the only duration form SpiffWorkflow reads exactly: ``PT<seconds>S``."""
    seconds = max(delta.total_seconds(), 0.0)
    if seconds == int(seconds):
        return f"PT{int(seconds)}S"
    return "PT" + f"{seconds:.6f}".rstrip("0").rstrip(".") + "S"


def to_datetime(value: object, *, now: datetime | None = None) -> datetime:
    """An aware datetime from what a due date or timeDate expression may produce."""
    now = now or utcnow()
    if isinstance(value, datetime):
        return aware(value)
    if isinstance(value, date):
        return datetime.combine(value, time(0), SHANGHAI)
    if isinstance(value, timedelta):
        return now + value
    if isinstance(value, str):
        text = value.strip()
        if text[:1].upper() == "P":
            return parse_duration(text).add_to(now)
        return parse_datetime(text)
    raise TypeError(f"a date was expected, not {type(value).__name__} ({value!r})")


def iso_date(value: object) -> str:
    """timeDate result for SpiffWorkflow: an aware ISO string."""
    return to_datetime(value).isoformat()


def iso_duration(value: object) -> str:
    """timeDuration result for SpiffWorkflow: an exact ``PT…S`` or a month-free ISO duration."""
    now = utcnow()
    if isinstance(value, timedelta):
        return duration_string(value)
    if isinstance(value, str) and value.strip()[:1].upper() == "P":
        duration = parse_duration(value)
        if not duration.calendar:
            return value.strip().upper()
        return duration_string(duration.add_to(now) - now)
    if isinstance(value, datetime | date | str):
        return duration_string(to_datetime(value, now=now) - now)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        raise TypeError("a timer duration must be an ISO 8601 string or a timedelta, not a bare number")
    raise TypeError(f"a timer duration was expected, not {type(value).__name__}")


def iso_cycle(value: object) -> str:
    """timeCycle result for SpiffWorkflow: ``R[n]/…`` with aware dates and no months."""
    if not isinstance(value, str):
        raise TypeError(f"a timer cycle must be an ISO 8601 string like R3/PT1H, not {type(value).__name__}")
    return normalise_cycle(value)


def normalise_cycle(text: str) -> str:
    text = text.strip()
    if _CRON.match(text):
        raise ValueError(f"{text!r} looks like a cron expression; SpiffWorkflow reads ISO 8601 cycles only "
                         "(e.g. R3/PT1H or R/2026-01-05T09:00:00+08:00/P1D)")
    parts = text.split("/")
    if not re.fullmatch(r"R\d*", parts[0], re.IGNORECASE) or len(parts) not in (2, 3):
        raise ValueError(f"{text!r} is not an ISO 8601 cycle (e.g. R3/PT1H)")
    out = [parts[0].upper()]
    durations = 0
    for part in parts[1:]:
        if part.strip()[:1].upper() == "P":
            duration = parse_duration(part)
            if duration.calendar:
                raise ValueError(f"{text!r}: SpiffWorkflow 3.2.0 repeats the first period's length in a cycle, "
                                 "so months and years would drift; use days or weeks")
            durations += 1
            out.append(part.strip().upper())
        else:
            out.append(parse_datetime(part).isoformat())
    if durations != 1:
        raise ValueError(f"{text!r}: a cycle needs exactly one duration")
    normalised = "/".join(out)
    try:
        TimerEventDefinition.parse_iso_recurring_interval(normalised)
    except Exception as exc:  # SpiffWorkflow raises bare Exception here
        raise ValueError(f"{text!r} is not a cycle SpiffWorkflow can run: {exc}") from None
    return normalised


def literal_for(kind: str, text: str) -> str:
    """The checked, normalised literal for a bare timer value of ``kind``.

    kind is timeDate, timeDuration or timeCycle. Raises ValueError naming what is wrong.
    """
    text = text.strip()
    if kind == "timeDuration":
        duration = parse_duration(text)
        if not duration.calendar:
            # Validate with SpiffWorkflow's own reader: what it refuses would fail at run time.
            TimerEventDefinition.parse_iso_duration(text)
        return text.upper()
    if kind == "timeDate":
        if text[:1].upper() == "P":
            raise ValueError(f"{text!r} is a duration; a timeDate needs a date (or use timeDuration)")
        return parse_datetime(text).isoformat()
    if kind == "timeCycle":
        return normalise_cycle(text)
    raise ValueError(f"unknown timer kind {kind!r}")
