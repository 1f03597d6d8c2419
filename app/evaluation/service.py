"""Evaluation results other domains read: the settlement coefficient in force (M.27)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.evaluation.models import EfficiencyCoefficient
from app.security import all_tenants

ONE = Decimal(1)


def coefficients_in_force(session: Session, *, start: date, end: date,
                          organisation_ids: list[int] | None = None) -> list[EfficiencyCoefficient]:
    """Published coefficients overlapping [start, end]; an organisation with none pays at 1.0 (M.27)."""
    stmt = (select(EfficiencyCoefficient)
            .where(EfficiencyCoefficient.applies_from <= end, EfficiencyCoefficient.applies_to >= start)
            .order_by(EfficiencyCoefficient.organisation_id, EfficiencyCoefficient.applies_from))
    if organisation_ids is not None:
        stmt = stmt.where(EfficiencyCoefficient.organisation_id.in_(organisation_ids))
    return list(session.scalars(all_tenants(stmt)))


def coefficient_on(session: Session, *, organisation_id: int, day: date) -> Decimal:
    """The coefficient applying to one organisation on one day: 1.0 until an evaluation is published."""
    found = coefficients_in_force(session, start=day, end=day, organisation_ids=[organisation_id])
    return found[-1].coefficient if found else ONE
