"""Published efficiency coefficients (M.27, M.33–M.34).

An evaluation scores an organisation (a vendor, or a using unit) for a period; once published its
coefficient applies to the settlement of the *next* period, recorded here as the period the
coefficient is used for. Settlement reads only this table.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation
from app.extensions import db, utcnow
from app.security import TenantScoped

Coefficient = Numeric(6, 4)
BigId = BigInteger().with_variant(Integer, "sqlite")


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


# -- evaluation schemes (M.33): what an admin configures per subject ---------------------------------
MISSING_ZERO, MISSING_FIXED, MISSING_REWEIGHT = "zero", "fixed", "reweight"
MISSING_POLICIES = (MISSING_ZERO, MISSING_FIXED, MISSING_REWEIGHT)


class EvaluationScheme(db.Model):
    """One per subject (unit / vendor), city-wide: the authority sets it (M.33)."""

    __tablename__ = "evaluation_scheme"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(16), unique=True)
    # What an indicator with no evidence for an organisation counts as.
    missing_policy: Mapped[str] = mapped_column(String(16), default=MISSING_REWEIGHT)
    missing_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    weights: Mapped[list[SchemeWeight]] = relationship(
        lazy="selectin", order_by="SchemeWeight.id", cascade="all, delete-orphan")
    grades: Mapped[list[SchemeGrade]] = relationship(
        lazy="selectin", order_by="SchemeGrade.min_score.desc()", cascade="all, delete-orphan")
    bands: Mapped[list[CoefficientBand]] = relationship(
        lazy="selectin", order_by="CoefficientBand.min_score.desc()", cascade="all, delete-orphan")


class SchemeWeight(db.Model):
    __tablename__ = "evaluation_scheme_weight"
    __table_args__ = (UniqueConstraint("scheme_id", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("evaluation_scheme.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(64))
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2))


class SchemeGrade(db.Model):
    """A score of at least ``min_score`` earns ``grade`` (the highest such threshold wins)."""

    __tablename__ = "evaluation_scheme_grade"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("evaluation_scheme.id", ondelete="CASCADE"), index=True)
    grade: Mapped[str] = mapped_column(String(32))
    min_score: Mapped[Decimal] = mapped_column(Numeric(6, 2))


class CoefficientBand(db.Model):
    """M.27, M.34: a score in [min_score, max_score) settles at ``coefficient`` (the top band includes 100)."""

    __tablename__ = "evaluation_coefficient_band"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("evaluation_scheme.id", ondelete="CASCADE"), index=True)
    min_score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    max_score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    coefficient: Mapped[Decimal] = mapped_column(Coefficient)


# -- evaluations (M.33–M.34): one per period, computed, reviewed, published ----------------------------
COMPUTED, RETURNED, PUBLISHED = "computed", "returned", "published"
EVALUATION_STATES = (COMPUTED, RETURNED, PUBLISHED)


class Evaluation(db.Model):
    """A city-wide evaluation of one period; its results carry each organisation's tenant."""

    __tablename__ = "evaluation"
    __table_args__ = (UniqueConstraint("period_start", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default=COMPUTED)
    rounds: Mapped[int] = mapped_column(default=0)  # how many times it was computed
    # The schemes as they were when last computed: a later edit does not change a reviewed result.
    schemes: Mapped[dict] = mapped_column(JSON, default=dict)
    instance_id: Mapped[int | None] = mapped_column(BigId)
    started_by: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime | None]
    returned_reason: Mapped[str] = mapped_column(Text, default="")
    returned_by: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None]
    published_by: Mapped[str | None] = mapped_column(String(64))


class EvaluationResult(TenantScoped, db.Model):
    """One organisation's score in one evaluation; visible to it once published (M.34)."""

    __tablename__ = "evaluation_result"
    __table_args__ = (UniqueConstraint("evaluation_id", "organisation_id"),
                      Index("ix_evaluation_result_organisation", "organisation_id", "evaluation_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    subject: Mapped[str] = mapped_column(String(16))
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    grade: Mapped[str] = mapped_column(String(32), default="")
    coefficient: Mapped[Decimal | None] = mapped_column(Coefficient)
    # indicator key -> {"score": "87.50" | None, "weight": "40.00", "counted": "87.50"}
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    evaluation: Mapped[Evaluation] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


# -- vendor feedback (P.4(7)) ---------------------------------------------------------------------
class VendorFeedback(TenantScoped, db.Model):
    """A rater organisation's rating of a vendor's service for a period; the tenant is the rater's."""

    __tablename__ = "vendor_feedback"
    __table_args__ = (UniqueConstraint("rater_organisation_id", "vendor_id", "period_start"),
                      Index("ix_vendor_feedback_vendor", "vendor_id", "period_start"))

    id: Mapped[int] = mapped_column(primary_key=True)
    rater_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_by: Mapped[str] = mapped_column(String(64))
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)

    rater: Mapped[Organisation] = relationship(foreign_keys=[rater_organisation_id], lazy="joined")
    vendor: Mapped[Organisation] = relationship(foreign_keys=[vendor_id], lazy="joined")
