"""Idle and zombie detection (M.25) over the daily rollups: set-based SQL, one statement per rule.

Defaults follow DESIGN §4 (AWS: CPU ≤ 10 % and network ≤ 5 MB/day; ManageIQ: 30 days of daily
rollups; the 2017 State Council notice: a zombie system has no business and no maintenance):

- ``idle``: 30 days with data in a 30-day window, each with average CPU ≤ 10 %, network ≤ 5 MB
  and no business traffic (requests + logins + API calls = 0);
- ``zombie``: 60 days without business traffic and without any change to the system's resources.

Each finding carries its evidence (window, days with data, days that met the rule, the figures).
A system has at most one open finding per rule, and a closed one is only raised again after a
full new window: a dismissal is not overturned by the next night's scan.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.types import JSON

from app.calendar.rules import SHANGHAI
from app.monitoring.models import IDLE, OPEN, ZOMBIE, DetectionRule, Finding, UtilisationDaily
from app.resources.models import Allocation, AllocationEvent

DEFAULTS: dict[str, dict[str, Any]] = {
    IDLE: {"window_days": 30, "min_days": 30, "cpu_max_pct": Decimal("10"), "network_max_mb": Decimal("5"),
           "business_max": 0, "rectify_workdays": 10},
    ZOMBIE: {"window_days": 60, "min_days": 60, "cpu_max_pct": None, "network_max_mb": None,
             "business_max": 0, "rectify_workdays": 10},
}
MAX_WINDOW_DAYS = 366
COUNTED = {"preserve_rowcount": True}  # psycopg reports -1 for INSERT … SELECT otherwise


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=SHANGHAI)


def window(rule: DetectionRule, today: date) -> Window:
    """The last ``window_days`` complete days: today is still being measured."""
    end = today - timedelta(days=1)
    return Window(end - timedelta(days=rule.window_days - 1), end)


def thresholds(rule: DetectionRule) -> dict[str, Any]:
    return {"window_days": rule.window_days, "min_days": rule.min_days,
            "cpu_max_pct": None if rule.cpu_max_pct is None else str(rule.cpu_max_pct),
            "network_max_mb": None if rule.network_max_mb is None else str(rule.network_max_mb),
            "business_max": rule.business_max, "no_change": rule.key == ZOMBIE}


def day_matches(rule: DetectionRule, daily) -> tuple[Any, Any]:
    """(business traffic of a daily row, whether the row meets ``rule``) as SQL expressions."""
    business = daily.c.requests + daily.c.logins + daily.c.api_calls
    condition = [business <= rule.business_max]
    if rule.cpu_max_pct is not None:
        condition.append(daily.c.cpu_avg <= rule.cpu_max_pct)
    if rule.network_max_mb is not None:
        condition.append(daily.c.network_io_mb <= rule.network_max_mb)
    return business, and_(*condition)


def candidates(rule: DetectionRule, span: Window):
    """SELECT of (system, tenant, evidence…) for every system the rule flags in ``span``."""
    daily = UtilisationDaily.__table__
    business, condition = day_matches(rule, daily)
    matched = func.sum(case((condition, 1), else_=0))
    # Grouped by system alone (its tenant never changes): a narrower sort than (system, tenant).
    stats = (select(daily.c.project_id, func.min(daily.c.tenant_id).label("tenant_id"), func.count().label("days"),
                    matched.label("matched"),
                    func.round(func.avg(daily.c.cpu_avg), 2).label("cpu_avg"),
                    func.max(daily.c.cpu_max).label("cpu_peak"),
                    func.round(func.avg(daily.c.network_io_mb), 3).label("network"),
                    func.sum(business).label("business"))
             .where(daily.c.day.between(span.start, span.end))
             .group_by(daily.c.project_id)
             .having(matched >= rule.min_days).subquery("stats"))
    allocation, event, finding = Allocation.__table__, AllocationEvent.__table__, Finding.__table__
    changes = event.join(allocation, event.c.allocation_id == allocation.c.id)
    last_change = (select(func.max(event.c.at)).select_from(changes)
                   .where(allocation.c.project_id == stats.c.project_id).scalar_subquery())
    # One open finding per system and rule; a closed one needs a full new window (see module doc).
    earlier = exists().where(finding.c.project_id == stats.c.project_id, finding.c.rule_key == rule.key,
                             or_(finding.c.open_key.is_not(None), finding.c.closed_at >= span.starts_at))
    stmt = select(stats, last_change.label("last_change")).where(~earlier)
    if rule.key == ZOMBIE:  # M.25 僵尸系统: nobody has touched its resources within the window either
        stmt = stmt.where(or_(last_change.is_(None), last_change < span.starts_at))
    return stmt


def scan_rule(session: Session, rule: DetectionRule, *, today: date) -> int:
    """INSERT … SELECT the rule's new findings; returns how many were raised."""
    span = window(rule, today)
    found = candidates(rule, span).subquery("found")
    source = select(
        found.c.tenant_id, found.c.project_id, literal(rule.key), literal(rule.key), literal(OPEN), literal(today),
        literal(span.start), literal(span.end), found.c.days, found.c.matched, found.c.cpu_avg, found.c.cpu_peak,
        found.c.network, found.c.business, found.c.last_change, literal(thresholds(rule), JSON),
    ).where(found.c.project_id.is_not(None))  # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT
    columns = ["tenant_id", "project_id", "rule_key", "open_key", "status", "detected_on", "window_start",
               "window_end", "days_with_data", "days_matched", "cpu_avg", "cpu_peak", "network_mb_avg",
               "business_total", "last_change_at", "thresholds"]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(Finding.__table__).from_select(columns, source).on_conflict_do_nothing()
    return max(session.execute(stmt, execution_options=COUNTED).rowcount or 0, 0)


def scan(session: Session, rules: list[DetectionRule], *, today: date) -> dict[str, int]:
    return {rule.key: scan_rule(session, rule, today=today) for rule in rules if rule.enabled}
