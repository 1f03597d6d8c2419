"""``flask calendar …`` (invoked on the group directly until app/cli.py registers it)."""
from __future__ import annotations

from datetime import date

from app.calendar import service as calendar_service
from app.calendar.cli import calendar_cli


def test_seed_then_show_a_published_year(runner, db):
    result = runner.invoke(calendar_cli, ["seed"])
    assert result.exit_code == 0, result.output
    assert "23 years loaded (2004–2026)" in result.output
    result = runner.invoke(calendar_cli, ["show", "2025"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("2025: published (package: chinese-calendar 1.11.0")
    assert lines[1] == "working days: 248"
    assert "2025-09-28 周日 上班 国庆节 调休上班 [package]" in lines
    assert "2025-10-06 周一 放假 中秋节 放假 [package]" in lines


def test_show_an_unpublished_year_says_provisional(runner, db):
    result = runner.invoke(calendar_cli, ["show", "2027"])
    assert result.exit_code == 0, result.output
    assert "2027: NOT published" in result.output and "provisional" in result.output


def test_seed_of_a_year_without_package_data_fails_cleanly(runner, db):
    result = runner.invoke(calendar_cli, ["seed", "--year", "2027"])
    assert result.exit_code == 1
    assert "no data for 2027" in result.output


def test_enter_and_publish_2027_by_hand(runner, db):
    runner.invoke(calendar_cli, ["seed"])
    result = runner.invoke(calendar_cli, ["set", "2027-01-01", "--holiday", "--name", "元旦", "--by", "ops"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(calendar_cli, ["publish", "2027", "--by", "ops"]).exit_code == 0
    cal = calendar_service.calendar(db.session)
    assert not cal.is_workday(date(2027, 1, 1)) and not cal.is_provisional(date(2027, 1, 1))
    assert "2027-01-01 周五 放假 元旦 [admin]" in runner.invoke(calendar_cli, ["show", "2027"]).output
    result = runner.invoke(calendar_cli, ["clear", "2027-01-01", "--by", "ops"])
    assert result.exit_code == 0 and "Mon–Fri rule" in result.output
    assert calendar_service.calendar(db.session).is_workday(date(2027, 1, 1))


def test_set_needs_a_choice_and_an_actor(runner, db):
    assert runner.invoke(calendar_cli, ["set", "2027-01-01", "--by", "ops"]).exit_code == 2
    assert runner.invoke(calendar_cli, ["set", "2027-01-01", "--holiday"]).exit_code == 2
