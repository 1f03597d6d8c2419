"""Unit indicators for the efficiency evaluation (M.33: 使用单位 are scored on resource-use
efficiency), from the evidence monitoring holds. Each scores organisations 0–100 over [start, end]
(both days included); an organisation without evidence is left out, never given a made-up number.

- ``unit.utilisation``: the mean of the daily average CPU and memory use of the unit's systems;
  ``TARGET_PCT`` or more scores 100, proportionally less below it.
- ``unit.findings``: the share of the unit's monitored systems (those with utilisation data in the
  period) that no idle or zombie finding flagged in the period (dismissed findings do not count).
- ``unit.rectification``: the share of the unit's warnings given in the period, and since closed,
  that ended rectified (M.25: 整改) rather than reclaimed or kept after refusal.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from app.evaluation.indicators import UNIT, indicator
from app.monitoring.models import CLOSED, DISMISSED, RECTIFIED, Finding, UtilisationDaily
from app.projects.models import Project
from app.security import all_tenants

TARGET_PCT = Decimal(50)  # a system using half its CPU and memory on average is well sized
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _score(value: Decimal) -> Decimal:
    return max(Decimal(0), min(HUNDRED, value)).quantize(CENT, ROUND_HALF_UP)


def _monitored(organisation_ids: list[int], start: date, end: date):
    """(organisation, system) pairs with utilisation data in the period."""
    daily = UtilisationDaily.__table__
    return (select(Project.organisation_id.label("org"), daily.c.project_id.label("system"))
            .join(Project, Project.id == daily.c.project_id)
            .where(daily.c.day.between(start, end), Project.organisation_id.in_(organisation_ids)).distinct())


@indicator("unit.utilisation", subject=UNIT, label=_l("Resource utilisation"))
def utilisation(session: Session, organisation_ids: list[int], start: date, end: date) -> dict[int, Decimal]:
    daily = UtilisationDaily.__table__
    mean = (func.avg(daily.c.cpu_avg) + func.avg(daily.c.memory_avg)) / 2
    stmt = (select(Project.organisation_id, mean).join(Project, Project.id == daily.c.project_id)
            .where(daily.c.day.between(start, end), Project.organisation_id.in_(organisation_ids))
            .group_by(Project.organisation_id))
    return {org: _score(Decimal(str(value)) * HUNDRED / TARGET_PCT)
            for org, value in session.execute(all_tenants(stmt)) if value is not None}


@indicator("unit.findings", subject=UNIT, label=_l("Idle and zombie findings"))
def findings(session: Session, organisation_ids: list[int], start: date, end: date) -> dict[int, Decimal]:
    monitored = _monitored(organisation_ids, start, end).subquery()
    totals = dict(session.execute(all_tenants(select(monitored.c.org, func.count()).group_by(monitored.c.org))).all())
    flagged_stmt = (select(Project.organisation_id, func.count(distinct(Finding.project_id)))
                    .join(Project, Project.id == Finding.project_id)
                    .where(Finding.detected_on.between(start, end), Finding.status != DISMISSED,
                           Project.organisation_id.in_(organisation_ids))
                    .group_by(Project.organisation_id))
    flagged = dict(session.execute(all_tenants(flagged_stmt)).all())
    return {org: _score(HUNDRED * (total - min(flagged.get(org, 0), total)) / total)
            for org, total in totals.items()}


@indicator("unit.rectification", subject=UNIT, label=_l("Rectification of warnings"))
def rectification(session: Session, organisation_ids: list[int], start: date, end: date) -> dict[int, Decimal]:
    rectified = func.sum(case((Finding.status == RECTIFIED, 1), else_=0))
    stmt = (select(Project.organisation_id, func.count(), rectified)
            .join(Project, Project.id == Finding.project_id)
            .where(Finding.warned_on.between(start, end), Finding.status.in_(CLOSED),
                   Project.organisation_id.in_(organisation_ids))
            .group_by(Project.organisation_id))
    return {org: _score(HUNDRED * int(good or 0) / total)
            for org, total, good in session.execute(all_tenants(stmt)) if total}
