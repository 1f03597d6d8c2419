"""Seeding, admin edits, publishing and the cache."""
from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest
from sqlalchemy import func, select, update

from app.calendar import service as calendar_service
from app.calendar.models import CalendarDay, CalendarYear
from app.calendar.rules import Deadline
from app.errors import ValidationFailed

D = date


def _rows(session) -> dict[date, tuple[bool, str, str, str]]:
    return {r.day: (r.is_workday, r.name, r.note, r.source) for r in session.scalars(select(CalendarDay))}


# -- seeding -------------------------------------------------------------------------------------
def test_seed_loads_every_package_year_and_only_exceptions(db):
    years = calendar_service.seed_from_package(db.session)
    db.session.commit()
    assert years == list(range(2004, 2027))
    rows = _rows(db.session)
    assert rows[D(2025, 9, 28)] == (True, "国庆节", "调休上班", "package")
    assert rows[D(2025, 10, 6)] == (False, "中秋节", "放假", "package")
    assert rows[D(2026, 2, 14)] == (True, "春节", "调休上班", "package")
    assert D(2026, 2, 15) not in rows  # a Sunday holiday changes nothing
    assert all(is_workday != (day.weekday() < 5) for day, (is_workday, *_) in rows.items())
    published = db.session.scalars(select(CalendarYear.year).where(CalendarYear.published)).all()
    assert sorted(published) == years


def test_seeded_calendar_agrees_with_the_package_on_every_day(cal):
    day = D(2004, 1, 1)
    while day.year <= 2026:
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_seed_is_idempotent_and_removes_what_the_package_dropped(seeded):
    before = _rows(seeded)
    seeded.add(CalendarDay(day=D(2025, 3, 3), is_workday=False, name="bogus", note="", source="package",
                           updated_by="old package"))
    seeded.commit()
    assert calendar_service.seed_from_package(seeded, [2025]) == [2025]
    assert calendar_service.seed_from_package(seeded) == list(range(2004, 2027))
    seeded.commit()
    assert _rows(seeded) == before


def test_seed_refuses_a_year_the_package_does_not_have(db):
    with pytest.raises(ValidationFailed) as caught:
        calendar_service.seed_from_package(db.session, [2026, 2027])
    assert caught.value.fields == {"years": ["2027"]}
    assert db.session.scalar(select(func.count()).select_from(CalendarYear)) == 0


# -- admin edits -----------------------------------------------------------------------------------
def test_admin_override_changes_results_and_survives_reseeding(seeded):
    assert calendar_service.calendar(seeded).add_workdays(D(2025, 9, 28), 5).value == D(2025, 10, 11)
    calendar_service.set_day(seeded, D(2025, 10, 9), False, "国庆节", "admin1", note="市政府通知")
    seeded.commit()
    # Sep 29, Sep 30, Oct 10, Sat Oct 11, Mon Oct 13.
    assert calendar_service.calendar(seeded).add_workdays(D(2025, 9, 28), 5).value == D(2025, 10, 13)

    calendar_service.set_day(seeded, D(2025, 10, 11), False, "", "admin1")  # overrides a package row
    calendar_service.seed_from_package(seeded)
    seeded.commit()
    rows = _rows(seeded)
    assert rows[D(2025, 10, 9)] == (False, "国庆节", "市政府通知", "admin")
    assert rows[D(2025, 10, 11)] == (False, "", "", "admin")
    assert calendar_service.calendar(seeded).add_workdays(D(2025, 9, 28), 5).value == D(2025, 10, 14)

    assert calendar_service.clear_day(seeded, D(2025, 10, 11), "admin1").source == "package"
    assert calendar_service.clear_day(seeded, D(2025, 10, 9), "admin1") is None
    seeded.commit()
    assert _rows(seeded)[D(2025, 10, 11)] == (True, "国庆节", "调休上班", "package")
    assert calendar_service.calendar(seeded).add_workdays(D(2025, 9, 28), 5).value == D(2025, 10, 11)


def test_admin_loads_2027_then_results_are_exact(seeded):
    cal = calendar_service.calendar(seeded)
    assert cal.add_workdays(D(2026, 12, 30), 3) == Deadline(D(2027, 1, 4), provisional=True)
    calendar_service.set_day(seeded, D(2027, 1, 1), False, "元旦", "admin1")
    seeded.commit()
    # The entry counts at once (Dec 31, Jan 4, Jan 5) but the year is not complete yet.
    cal = calendar_service.calendar(seeded)
    assert cal.add_workdays(D(2026, 12, 30), 3) == Deadline(D(2027, 1, 5), provisional=True)
    assert calendar_service.years_needing_data(seeded, today=D(2026, 11, 24)) == [2027]
    assert calendar_service.years_needing_data(seeded, today=D(2026, 10, 24)) == []

    year = calendar_service.publish_year(seeded, 2027, "admin1")
    seeded.commit()
    assert (year.published, year.source, year.loaded_by) == (True, "admin", "admin1")
    cal = calendar_service.calendar(seeded)
    assert cal.add_workdays(D(2026, 12, 30), 3) == Deadline(D(2027, 1, 5), provisional=False)
    assert not cal.is_provisional(D(2027, 6, 1))
    assert calendar_service.years_needing_data(seeded, today=D(2026, 11, 24)) == []


def test_publishing_a_package_year_again_changes_nothing(seeded):
    row = calendar_service.publish_year(seeded, 2025, "admin1")
    assert (row.source, row.loaded_by) == ("package", calendar_service.package_label())


def test_edits_are_validated(db):
    with pytest.raises(ValidationFailed) as caught:
        calendar_service.set_day(db.session, D(2027, 1, 1), False, "x" * 65, "admin1")
    assert set(caught.value.fields) == {"name"}
    with pytest.raises(ValidationFailed):
        calendar_service.set_day(db.session, D(2027, 1, 1), False, "元旦", "  ")
    with pytest.raises(ValidationFailed):
        calendar_service.publish_year(db.session, 27, "admin1")


# -- the cache -------------------------------------------------------------------------------------
def test_calendar_is_cached_until_the_tables_change(seeded):
    first = calendar_service.calendar(seeded)
    assert calendar_service.calendar(seeded) is first
    assert calendar_service.calendar(seeded, max_age=0) is first  # stamp unchanged: no reload
    calendar_service.set_day(seeded, D(2025, 10, 9), False, "国庆节", "admin1")
    second = calendar_service.calendar(seeded)
    assert second is not first
    assert first.is_workday(D(2025, 10, 9)) and not second.is_workday(D(2025, 10, 9))


def test_a_rolled_back_edit_leaves_the_cache(seeded):
    calendar_service.set_day(seeded, D(2025, 10, 9), False, "国庆节", "admin1")
    assert not calendar_service.calendar(seeded).is_workday(D(2025, 10, 9))  # seen inside the transaction
    seeded.rollback()
    assert calendar_service.calendar(seeded).is_workday(D(2025, 10, 9))


def test_a_change_by_another_process_is_seen_after_max_age(seeded):
    cal = calendar_service.calendar(seeded)
    # Another worker, whose clock is far behind, edited the table: no invalidate() in this process.
    seeded.execute(update(CalendarDay).where(CalendarDay.day == D(2025, 10, 11)).values(
        is_workday=False, source="admin", updated_at=datetime(2000, 1, 1, tzinfo=UTC), updated_by="other"))
    seeded.commit()
    assert calendar_service.calendar(seeded) is cal  # within RECHECK_SECONDS: still cached
    fresh = calendar_service.calendar(seeded, max_age=0)
    assert not fresh.is_workday(D(2025, 10, 11))
    assert fresh.add_workdays(D(2025, 9, 28), 5).value == D(2025, 10, 13)


def test_calendar_is_fast_enough_for_every_timer(seeded):
    calendar_service.calendar(seeded)
    started = time.perf_counter()
    for i in range(10_000):
        calendar_service.calendar(seeded).add_workdays(D(2025, 9, 1) + timedelta(days=i % 60), 15)
    assert time.perf_counter() - started < 2.0
