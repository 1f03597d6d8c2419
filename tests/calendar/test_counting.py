"""Counting on the real, seeded calendar: 2025 National Day, 2026 Spring Festival, Civil Code rules."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.calendar.rules import SHANGHAI, Deadline, WorkCalendar, shift_months

D = date


# -- single days -------------------------------------------------------------------------------
def test_national_day_2025_holidays_and_makeup_weekends(cal):
    assert cal.is_workday(D(2025, 9, 28))  # Sunday, 调休上班
    assert cal.is_workday(D(2025, 10, 11))  # Saturday, 调休上班
    assert [d for d in range(1, 9) if cal.is_workday(D(2025, 10, d))] == []  # Oct 1–8 off, Wed–Wed
    assert cal.is_workday(D(2025, 10, 9))
    assert not cal.is_workday(D(2025, 10, 12))  # an ordinary Sunday
    assert not cal.is_provisional(D(2025, 10, 1))


def test_spring_festival_2026_from_the_package(cal):
    # chinese_calendar 1.11.0: off Sun Feb 15 – Mon Feb 23; makeup workdays Sat Feb 14 and Sat Feb 28.
    off = [D(2026, 2, 15) + timedelta(days=i) for i in range(9)]
    assert not any(cal.is_workday(d) for d in off)
    assert cal.is_workday(D(2026, 2, 14)) and D(2026, 2, 14).weekday() == 5
    assert cal.is_workday(D(2026, 2, 28)) and D(2026, 2, 28).weekday() == 5
    assert cal.is_workday(D(2026, 2, 24))


def test_next_and_previous_workday_and_rolling(cal):
    assert cal.next_workday(D(2025, 9, 30)) == D(2025, 10, 9)
    assert cal.next_workday(D(2025, 9, 26)) == D(2025, 9, 28)  # Friday -> makeup Sunday
    assert cal.next_workday(D(2025, 10, 9)) == D(2025, 10, 10)  # strictly after
    assert cal.previous_workday(D(2025, 10, 9)) == D(2025, 9, 30)
    assert cal.roll_forward(D(2025, 10, 9)) == D(2025, 10, 9)
    assert cal.roll_forward(D(2025, 10, 4)) == D(2025, 10, 9)
    assert cal.roll_back(D(2026, 2, 23)) == D(2026, 2, 14)


# -- working days (art. 201: the start day is not counted) -------------------------------------
def test_design_example_five_workdays_from_makeup_sunday(cal):
    deadline = cal.add_workdays(D(2025, 9, 28), 5)
    assert deadline == Deadline(D(2025, 10, 11), provisional=False)
    assert deadline.value.weekday() == 5


@pytest.mark.parametrize(("start", "n", "end"), [
    (D(2025, 9, 30), 1, D(2025, 10, 9)),  # over the whole holiday
    (D(2025, 10, 3), 1, D(2025, 10, 9)),  # from a holiday: the holiday itself is not counted
    (D(2025, 9, 26), 2, D(2025, 9, 29)),  # Fri + 2 = makeup Sun, Mon
    (D(2026, 2, 12), 5, D(2026, 2, 26)),  # Feb 13, Sat 14, 24, 25, 26
    (D(2026, 2, 26), 3, D(2026, 3, 2)),  # Feb 27, Sat 28, Mon Mar 2
    (D(2026, 2, 13), 0, D(2026, 2, 13)),
])
def test_add_workdays_over_holidays(cal, start, n, end):
    assert cal.add_workdays(start, n).value == end


@pytest.mark.parametrize(("start", "n", "end"), [
    (D(2025, 10, 11), -5, D(2025, 9, 28)),
    (D(2025, 10, 9), -1, D(2025, 9, 30)),
    (D(2025, 10, 5), -1, D(2025, 9, 30)),  # from a holiday
    (D(2026, 2, 24), -1, D(2026, 2, 14)),  # back over Spring Festival to the makeup Saturday
    (D(2026, 3, 2), -3, D(2026, 2, 26)),
])
def test_negative_counts_go_back(cal, start, n, end):
    assert cal.add_workdays(start, n).value == end


def test_workdays_between_is_the_inverse_of_add_workdays(cal):
    assert cal.workdays_between(D(2025, 9, 28), D(2025, 10, 11)) == 5
    assert cal.workdays_between(D(2025, 10, 11), D(2025, 9, 28)) == -5
    assert cal.workdays_between(D(2026, 2, 13), D(2026, 2, 28)) == 6  # 14, 24, 25, 26, 27, 28
    assert cal.workdays_between(D(2025, 10, 1), D(2025, 10, 8)) == 0
    a = D(2025, 9, 20)
    for offset in range(-60, 60):
        b = a + timedelta(days=offset)
        if cal.is_workday(b):
            assert cal.add_workdays(a, cal.workdays_between(a, b)).value == b


def test_a_year_has_the_official_number_of_working_days(cal):
    # 2025 gained two holiday days (2024 revision of the State Council's rules): 248, 2024 had 251.
    assert cal.workdays_between(D(2023, 12, 31), D(2024, 12, 31)) == 251
    assert cal.workdays_between(D(2024, 12, 31), D(2025, 12, 31)) == 248
    assert cal.workdays_between(D(2025, 12, 31), D(2026, 12, 31)) == 248


# -- months (arts. 202, 203) -------------------------------------------------------------------
def test_months_end_on_the_same_date_or_the_month_end(cal):
    assert cal.add_months(D(2025, 1, 31), 1).value == D(2025, 2, 28)
    assert cal.add_months(D(2024, 1, 31), 1).value == D(2024, 2, 29)  # leap year, a Thursday
    assert cal.add_months(D(2025, 3, 14), 3).value == D(2025, 6, 16)  # Sat Jun 14 -> Mon Jun 16
    assert shift_months(D(2025, 11, 30), 3) == D(2026, 2, 28)
    assert shift_months(D(2025, 3, 31), -1) == D(2025, 2, 28)
    assert shift_months(D(2025, 1, 15), -1) == D(2024, 12, 15)


def test_expiry_on_a_holiday_moves_to_the_next_working_day(cal):
    # 3 months of emergency resources (M.23) configured 2025-07-01 end on Oct 1: National Day.
    assert cal.add_months(D(2025, 7, 1), 3) == Deadline(D(2025, 10, 9), provisional=False)
    # Nov 15 + 3 months = Sun Feb 15 2026, first day of Spring Festival -> Tue Feb 24.
    assert cal.add_months(D(2025, 11, 15), 3).value == D(2026, 2, 24)
    # Nov 30 + 3 months = Feb 28 2026: a Saturday, but a makeup workday, so it stays.
    assert cal.add_months(D(2025, 11, 30), 3).value == D(2026, 2, 28)


def test_months_before_move_back_to_a_working_day(cal):
    assert cal.add_months(D(2026, 3, 23), -1).value == D(2026, 2, 14)  # Mon Feb 23 is off
    assert cal.add_months(D(2025, 11, 5), -1).value == D(2025, 9, 30)  # Sun Oct 5 is off


# -- "at least 15 working days before expiry" (M.23, M.24) --------------------------------------
def test_fifteen_workdays_before_expiry_exact_and_one_short(cal):
    expiry = D(2025, 10, 20)
    # Counting back over National Day: Sep 23 leaves exactly 15 working days, Sep 24 only 14.
    assert cal.workdays_between(D(2025, 9, 23), expiry) == 15
    assert cal.workdays_between(D(2025, 9, 24), expiry) == 14
    assert cal.at_least_workdays_before(D(2025, 9, 23), expiry, 15) is True
    assert cal.at_least_workdays_before(D(2025, 9, 24), expiry, 15) is False
    assert cal.at_least_workdays_before(D(2025, 9, 22), expiry, 15) is True
    # Weekdays-only counting would wrongly accept a request as late as Sep 29.
    assert cal.at_least_workdays_before(D(2025, 9, 29), expiry, 15) is False
    assert cal.latest_request_day(expiry, 15) == Deadline(D(2025, 9, 23), provisional=False)


def test_latest_request_day_is_the_boundary_for_any_expiry(cal):
    for offset in range(0, 90):
        expiry = D(2025, 9, 1) + timedelta(days=offset)
        latest = cal.latest_request_day(expiry, 15).value
        assert cal.at_least_workdays_before(latest, expiry, 15)
        assert not cal.at_least_workdays_before(latest + timedelta(days=1), expiry, 15)


# -- datetimes and the engine helpers ------------------------------------------------------------
def test_datetime_start_keeps_local_time_of_day(cal):
    start = datetime(2025, 9, 27, 20, 30, tzinfo=UTC)  # 2025-09-28 04:30 in Shanghai
    deadline = cal.add_workdays(start, 5)
    assert deadline.value == datetime(2025, 10, 11, 4, 30, tzinfo=SHANGHAI)
    assert deadline.value.tzinfo is SHANGHAI and deadline.day == D(2025, 10, 11)
    assert cal.add_months(datetime(2025, 7, 1, 9, 0, tzinfo=SHANGHAI), 3).value == datetime(
        2025, 10, 9, 9, 0, tzinfo=SHANGHAI)


def test_naive_datetimes_are_refused(cal):
    with pytest.raises(ValueError, match="naive"):
        cal.add_workdays(datetime(2025, 9, 28, 9, 0), 5)
    with pytest.raises(ValueError, match="naive"):
        cal.workdays(5, now=datetime(2025, 9, 28, 9, 0))


def test_workdays_helper_counts_from_now_or_a_start(cal):
    now = datetime(2025, 9, 28, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai, a makeup Sunday
    assert cal.workdays(5, now=now) == Deadline(datetime(2025, 10, 11, 14, 0, tzinfo=SHANGHAI), False)
    assert cal.workdays(-1, D(2025, 10, 9), now=now).value == datetime(2025, 10, 1, 0, 0, tzinfo=SHANGHAI)
    # A date start ends at 24:00 of the last day (art. 203): 00:00 of the day after, in Shanghai.
    deadline = cal.workdays(5, D(2025, 9, 28), now=now)
    assert deadline.value == datetime(2025, 10, 12, 0, 0, tzinfo=SHANGHAI) and deadline.day == D(2025, 10, 11)
    assert cal.workdays(5, now=now, end_of_day=True).value == datetime(2025, 10, 12, tzinfo=SHANGHAI)
    assert cal.months(3, D(2025, 7, 1), now=now).value == datetime(2025, 10, 10, tzinfo=SHANGHAI)


# -- unpublished years ---------------------------------------------------------------------------
def test_2027_is_provisional_weekdays_only_never_an_error(cal):
    import chinese_calendar

    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 1))
    assert cal.is_provisional(D(2027, 1, 1)) and not cal.is_provisional(D(2026, 12, 31))
    assert cal.is_workday(D(2027, 1, 1))  # a Friday: surely New Year's Day, but not yet published
    assert cal.add_workdays(D(2026, 12, 30), 3) == Deadline(D(2027, 1, 4), provisional=True)
    assert cal.add_workdays(D(2026, 12, 28), 3) == Deadline(D(2026, 12, 31), provisional=False)
    assert cal.add_workdays(D(2027, 1, 4), -3).provisional is True
    assert cal.add_months(D(2026, 11, 30), 1).provisional is False
    assert cal.add_months(D(2026, 12, 31), 1) == Deadline(D(2027, 2, 1), provisional=True)  # Sun Jan 31


def test_calendar_without_data_counts_weekdays_only():
    empty = WorkCalendar({}, [])
    assert empty.add_workdays(D(2025, 9, 28), 5) == Deadline(D(2025, 10, 3), provisional=True)
    assert empty.workdays_between(D(2025, 9, 26), D(2025, 10, 3)) == 5
