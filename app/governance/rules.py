"""The numbers the Measures leave open for M.28 and M.31, chosen here and argued once.

M.28 asks vendors to submit an optimisation or adjustment plan "in advance" (提前) without saying
how long. Yunguan asks for the time the plan needs to be decided before the window opens, taking
the Measures' own periods for comparable decisions:

- an ordinary plan is reviewed by bdc, whose review periods elsewhere in the Measures are
  5 working days (M.19 test resources, M.20 expansion): the window starts at least
  **5 working days** after submission;
- a major plan also needs a third-party or expert evaluation and the authority's approval; the
  Measures give a request that must reach a city department's decision **15 working days**
  (M.23, M.24 extensions, decided by eitc and the authority): the window starts at least 15
  working days after submission.

M.31 asks bdc to handle incidents and report them "in time" (及时) without numbers. The four
severity levels are those of the national cyber-security incident plan (特别重大/重大/较大/一般);
the containment and report deadlines below are Yunguan's defaults, shorter for graver incidents.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _

from app.calendar.rules import WorkCalendar, local_date
from app.errors import ValidationFailed

ORDINARY_LEAD_WORKDAYS = 5  # M.28 "提前", sized on bdc's 5-working-day reviews (M.19, M.20)
MAJOR_LEAD_WORKDAYS = 15  # M.28 major changes, sized on M.23/M.24's 15 working days for city decisions
MAX_WINDOW = timedelta(days=7)  # a change window is a maintenance window, not an open-ended licence


@dataclass(frozen=True)
class Severity:
    level: int
    name: str
    contain_hours: int | None  # containment deadline in hours …
    contain_workdays: int | None  # … or in working days
    report_workdays: int  # report to the departments, working days after containment


# M.31: 特别重大 / 重大 / 较大 / 一般 (levels 1–4 of the national cyber-security incident plan).
SEVERITIES = {
    1: Severity(1, "特别重大", 2, None, 1),
    2: Severity(2, "重大", 6, None, 2),
    3: Severity(3, "较大", 24, None, 3),
    4: Severity(4, "一般", None, 2, 5),
}


def lead_workdays(major: bool) -> int:
    return MAJOR_LEAD_WORKDAYS if major else ORDINARY_LEAD_WORKDAYS


def check_window(calendar: WorkCalendar, *, now: datetime, start: datetime, end: datetime, major: bool) -> None:
    """M.28: the plan arrives in advance — ``now`` plus the lead time is no later than the window's start."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationFailed(_("Give the window with its time zone."), fields={"window_start": [_("Required.")]})
    if end <= start:
        raise ValidationFailed(_("The window must end after it starts."),
                               fields={"window_end": [_("Must be later than the start.")]}, code="rule_window")
    if end - start > MAX_WINDOW:
        raise ValidationFailed(_("A change window lasts at most seven days."),
                               fields={"window_end": [_("At most seven days after the start.")]}, code="rule_window")
    n = lead_workdays(major)
    if not calendar.at_least_workdays_before(local_date(now), start, n):
        earliest = calendar.add_workdays(local_date(now), n).day
        raise ValidationFailed(
            _("A change plan must be submitted at least %(n)s working days before its window (Article 28).", n=n),
            fields={"window_start": [_("The earliest start is %(day)s.", day=earliest.isoformat())]},
            code="rule_m28_lead")


def contain_due(calendar: WorkCalendar, severity: int, now: datetime) -> datetime:
    """M.31: when containment must be done, by severity."""
    rule = SEVERITIES[severity]
    if rule.contain_hours is not None:
        return (now + timedelta(hours=rule.contain_hours)).astimezone(UTC)
    return calendar.workdays(rule.contain_workdays or 0, now, now=now).value.astimezone(UTC)  # type: ignore[union-attr]


def report_due(calendar: WorkCalendar, severity: int, now: datetime) -> datetime:
    """M.31: when the report to the departments is due, counted from containment."""
    deadline = calendar.workdays(SEVERITIES[severity].report_workdays, now, now=now).value
    return deadline.astimezone(UTC)  # type: ignore[union-attr]
