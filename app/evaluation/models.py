"""Published efficiency coefficients (M.27, M.33–M.34).

An evaluation scores an organisation (a vendor, or a using unit) for a period; once published its
coefficient applies to the settlement of the *next* period, recorded here as the period the
coefficient is used for. Settlement reads only this table.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db, utcnow
from app.security import TenantScoped

Coefficient = Numeric(6, 4)


class EfficiencyCoefficient(TenantScoped, db.Model):
    __tablename__ = "efficiency_coefficient"
    __table_args__ = (UniqueConstraint("organisation_id", "applies_from"),
                      Index("ix_efficiency_coefficient_in_force", "organisation_id", "applies_from", "applies_to"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    applies_from: Mapped[date]  # first day of the settlement period it is used for
    applies_to: Mapped[date]  # last day of that period
    coefficient: Mapped[Decimal] = mapped_column(Coefficient)
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    evaluation_id: Mapped[int | None]  # the published evaluation it comes from
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
