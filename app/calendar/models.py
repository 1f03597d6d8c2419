"""The PRC working-day calendar: city-wide reference data, not tenant-scoped.

``calendar_day`` holds only the exceptions to the Monday–Friday rule (a holiday on a weekday,
a makeup working day 调休上班 on a weekend), plus any day an admin has pinned. ``calendar_year``
says which years hold the State Council's official list; any other year is provisional.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db, utcnow

SOURCES = ("package", "admin")
PACKAGE, ADMIN = SOURCES
_SOURCE_CHECK = "source IN ('package', 'admin')"


class CalendarDay(db.Model):
    __tablename__ = "calendar_day"
    __table_args__ = (CheckConstraint(_SOURCE_CHECK, name="source"),)

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    name: Mapped[str] = mapped_column(String(64), default="")  # the festival, e.g. 国庆节
    note: Mapped[str] = mapped_column(String(200), default="")  # e.g. 放假 / 调休上班 / an admin's reason
    # "admin" rows are never overwritten by re-seeding from the package.
    source: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        kind = "workday" if self.is_workday else "holiday"
        return f"<CalendarDay {self.day} {kind} {self.name!r} ({self.source})>"


class CalendarYear(db.Model):
    __tablename__ = "calendar_year"
    __table_args__ = (CheckConstraint(_SOURCE_CHECK, name="source"),)

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    published: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(16))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<CalendarYear {self.year} published={self.published} ({self.source})>"
