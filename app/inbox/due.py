"""Due dates as approvers read them: overdue, due soon (in PRC working days), or neither.

"Due soon" counts working days, not hours: a task due on Monday is as urgent on Friday afternoon
as one due tomorrow on a Wednesday. The threshold is ``INBOX_DUE_SOON_WORKDAYS`` (default 2).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from flask import current_app
from sqlalchemy.orm import Session

from app.calendar import service as calendar_service
from app.calendar.rules import SHANGHAI, WorkCalendar

DEFAULT_DUE_SOON_WORKDAYS = 2
OVERDUE, SOON, LATER, NONE = "overdue", "soon", "later", "none"


def due_soon_workdays() -> int:
    value = current_app.config.get("INBOX_DUE_SOON_WORKDAYS", DEFAULT_DUE_SOON_WORKDAYS)
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return DEFAULT_DUE_SOON_WORKDAYS


@dataclass(frozen=True)
class DueState:
    status: str  # overdue | soon | later | none (no due date, or the task is finished)
    workdays_left: int | None  # working days after today up to the due day; negative when overdue
    provisional: bool  # the due day lies in a year whose holidays are not published yet

    @property
    def overdue(self) -> bool:
        return self.status == OVERDUE

    @property
    def soon(self) -> bool:
        return self.status == SOON


NO_DUE = DueState(NONE, None, False)


class DueRules:
    """One calendar, one clock reading and one threshold for a whole page of tasks."""

    def __init__(self, calendar: WorkCalendar, now: datetime, threshold: int):
        self.calendar, self.now, self.threshold = calendar, now, threshold

    @classmethod
    def current(cls, session: Session, now: datetime) -> DueRules:
        return cls(calendar_service.calendar(session), now, due_soon_workdays())

    def state(self, due_at: datetime | None, *, is_open: bool = True, provisional: bool = False) -> DueState:
        if due_at is None or not is_open:
            return NO_DUE
        left = self.calendar.workdays_between(self.now, due_at)
        provisional = provisional or self.calendar.is_provisional(due_at)
        if due_at <= self.now:
            return DueState(OVERDUE, left, provisional)
        return DueState(SOON if left <= self.threshold else LATER, left, provisional)

    def soon_cutoff(self) -> datetime:
        """Tasks due before this moment (and not yet overdue) are due soon: 00:00 of the working
        day after the threshold-th one, so a due date on the weekend after it counts too."""
        day = self.calendar.add_workdays(self.now, self.threshold + 1).day
        return datetime.combine(day, time(0), tzinfo=SHANGHAI)
