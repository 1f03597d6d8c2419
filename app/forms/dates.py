"""form-js date/time values: ISO strings, normalised to what form-js itself would store.

form-js writes ``YYYY-MM-DD`` for dates, and for times ``HH:MM`` followed by nothing
(``no_timezone``, its default), the offset (``utc_offset``: ``14:30+08:00``) or ``Z``
(``utc_normalized``: the time in UTC). A datetime is ``<date>T<time>`` with the same suffix.
Values stay strings so task data stays JSON. A time given without an offset is read in the app's
time zone (``TIMEZONE``, Asia/Shanghai by default): that is what a browser in Shanghai would send.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

SUBTYPES = ("date", "time", "datetime")
TIME_FORMATS = ("no_timezone", "utc_offset", "utc_normalized")

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?")
_DATETIME_RE = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(Z|[+-]\d{2}:\d{2})?")


def app_zone() -> tzinfo:
    name = current_app.config.get("TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or "Asia/Shanghai")


def today() -> date:
    return datetime.now(app_zone()).date()


def parse_date(text: str) -> date:
    if not _DATE_RE.fullmatch(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def normalize(subtype: str, text: str, time_format: str | None) -> tuple[str, date | None]:
    """The stored form of ``text`` and the calendar date it falls on (None for a bare time).

    Raises ValueError when ``text`` is not a value of the subtype.
    """
    time_format = time_format if time_format in TIME_FORMATS else "no_timezone"
    if subtype == "date":
        day = parse_date(text)
        return day.isoformat(), day
    if subtype == "time":
        match = _TIME_RE.fullmatch(text)
        if not match:
            raise ValueError(text)
        hour, minute, second, offset = match.groups()
        clock = time(int(hour), int(minute), int(second or 0))
        # A bare time has no date; today's date only decides the zone's offset (DST elsewhere).
        moment = _aware(datetime.combine(today(), clock), offset)
        return _time_text(moment, time_format), None
    if subtype == "datetime":
        match = _DATETIME_RE.fullmatch(text)
        if not match:
            raise ValueError(text)
        day_text, clock_text, offset = match.groups()
        naive = datetime.combine(parse_date(day_text), time.fromisoformat(clock_text))
        moment = _aware(naive, offset)
        local = moment.astimezone(app_zone())
        shown = moment.astimezone(UTC) if time_format == "utc_normalized" else local
        return f"{shown.date().isoformat()}T{_time_text(moment, time_format)}", local.date()
    raise ValueError(subtype)


def _aware(naive: datetime, offset: str | None) -> datetime:
    if offset is None:
        return naive.replace(tzinfo=app_zone())
    return datetime.fromisoformat(naive.isoformat() + ("+00:00" if offset == "Z" else offset))


def _time_text(moment: datetime, time_format: str) -> str:
    if time_format == "utc_normalized":
        return _clock(moment.astimezone(UTC)) + "Z"
    local = moment.astimezone(app_zone())
    if time_format == "utc_offset":
        return _clock(local) + local.isoformat()[-6:]
    return _clock(local)


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M:%S" if moment.second else "%H:%M")


def input_value(subtype: str, value: object) -> str:
    """The stored value as an HTML date/time/datetime-local input shows it (local time, no zone).

    Anything that does not parse is shown as it is, so a rejected entry stays visible."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        if subtype == "date":
            return parse_date(value).isoformat()
        if subtype == "time":
            match = _TIME_RE.fullmatch(value)
            if not match:
                return value
            hour, minute, second, offset = match.groups()
            moment = _aware(datetime.combine(today(), time(int(hour), int(minute), int(second or 0))), offset)
            return _clock(moment.astimezone(app_zone()))
        match = _DATETIME_RE.fullmatch(value)
        if not match:
            return value
        day_text, clock_text, offset = match.groups()
        moment = _aware(datetime.combine(parse_date(day_text), time.fromisoformat(clock_text)), offset)
        local = moment.astimezone(app_zone())
        return f"{local.date().isoformat()}T{_clock(local)}"
    except ValueError:
        return value
