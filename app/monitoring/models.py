"""Utilisation monitoring (M.13) and idle/zombie findings (M.25).

Raw samples arrive from collectors (one row per system and moment, re-sending replaces); a daily
rollup per system and day is derived from them in SQL and is what charts, detection and the
evaluation read, so raw samples can be purged after a configurable time. A *system* is a
``Project`` (app/projects): the unit's information system that holds the resources.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, utcnow
from app.projects.models import Project
from app.security import TenantScoped

BigId = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER keys
Percent = Numeric(6, 2)
Megabytes = Numeric(18, 3)
Count = BigInteger()

# The rules (M.25: 长期低效运行、僵尸系统).
IDLE, ZOMBIE = "idle", "zombie"
RULE_KEYS = (IDLE, ZOMBIE)

# Finding states. Open ones hold ``open_key`` (= the rule) so (system, rule) is unique while open.
OPEN, WARNED, CHECKING, CONSENT, RECLAIMING = "open", "warned", "checking", "consent", "reclaiming"
DISMISSED, RECTIFIED, KEPT, RECLAIMED = "dismissed", "rectified", "kept", "reclaimed"
ACTIVE = (OPEN, WARNED, CHECKING, CONSENT, RECLAIMING)
CLOSED = (DISMISSED, RECTIFIED, KEPT, RECLAIMED)


class UtilisationSample(TenantScoped, db.Model):
    __tablename__ = "utilisation_sample"
    __table_args__ = (UniqueConstraint("project_id", "at"), Index("ix_utilisation_sample_day", "day"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    day: Mapped[date]  # the Shanghai date of ``at``: what the rollup groups by
    cpu_pct: Mapped[Decimal] = mapped_column(Percent)
    memory_pct: Mapped[Decimal] = mapped_column(Percent)
    disk_io_mb: Mapped[Decimal] = mapped_column(Megabytes)
    network_io_mb: Mapped[Decimal] = mapped_column(Megabytes)
    requests: Mapped[int] = mapped_column(Count, default=0)
    logins: Mapped[int] = mapped_column(Count, default=0)
    api_calls: Mapped[int] = mapped_column(Count, default=0)
    source: Mapped[str] = mapped_column(String(64), default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class UtilisationDaily(TenantScoped, db.Model):
    """One row per system and day; rebuilt from the samples by ``rollup`` (never edited by hand)."""

    __tablename__ = "utilisation_daily"
    __table_args__ = (UniqueConstraint("project_id", "day"), Index("ix_utilisation_daily_day", "day", "project_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    day: Mapped[date]
    samples: Mapped[int]
    cpu_avg: Mapped[Decimal] = mapped_column(Percent)
    cpu_max: Mapped[Decimal] = mapped_column(Percent)
    memory_avg: Mapped[Decimal] = mapped_column(Percent)
    disk_io_mb: Mapped[Decimal] = mapped_column(Megabytes)
    network_io_mb: Mapped[Decimal] = mapped_column(Megabytes)
    requests: Mapped[int] = mapped_column(Count)
    logins: Mapped[int] = mapped_column(Count)
    api_calls: Mapped[int] = mapped_column(Count)


class DetectionRule(db.Model):
    """City-wide thresholds an admin edits (DESIGN §4). Not tenant data: every district is judged
    by the same rule."""

    __tablename__ = "detection_rule"

    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    window_days: Mapped[int]
    min_days: Mapped[int]  # days of the window that must meet the condition
    cpu_max_pct: Mapped[Decimal | None] = mapped_column(Percent)  # None: CPU not considered
    network_max_mb: Mapped[Decimal | None] = mapped_column(Megabytes)  # per day
    business_max: Mapped[int] = mapped_column(default=0)  # requests + logins + API calls per day
    rectify_workdays: Mapped[int] = mapped_column(default=10)
    updated_by: Mapped[str] = mapped_column(String(64), default="system")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Finding(TenantScoped, db.Model):
    """A system a rule flagged, with the evidence that triggered it, and the case that follows."""

    __tablename__ = "idle_finding"
    __table_args__ = (UniqueConstraint("project_id", "open_key"), Index("ix_idle_finding_status", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    rule_key: Mapped[str] = mapped_column(String(16))
    open_key: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    detected_on: Mapped[date]
    # The evidence (M.25): the window, how many days had data and how many met the rule, the figures.
    window_start: Mapped[date]
    window_end: Mapped[date]
    days_with_data: Mapped[int]
    days_matched: Mapped[int]
    cpu_avg: Mapped[Decimal] = mapped_column(Percent)
    cpu_peak: Mapped[Decimal] = mapped_column(Percent)
    network_mb_avg: Mapped[Decimal] = mapped_column(Megabytes)
    business_total: Mapped[int] = mapped_column(Count)
    last_change_at: Mapped[datetime | None]
    thresholds: Mapped[dict] = mapped_column(JSON, default=dict)
    instance_id: Mapped[int | None] = mapped_column(BigId)
    warned_on: Mapped[date | None]
    rectify_due: Mapped[datetime | None]
    response: Mapped[str] = mapped_column(String(16), default="")  # rectified | objection | ignored
    response_note: Mapped[str] = mapped_column(Text, default="")
    check_figures: Mapped[dict] = mapped_column(JSON, default=dict)  # the next period's figures bdc saw
    reclaim_application_id: Mapped[int | None] = mapped_column(ForeignKey("resource_application.id"))
    closed_at: Mapped[datetime | None]

    project: Mapped[Project] = relationship(lazy="joined")

    @property
    def number(self) -> str:
        return f"IF-{self.id:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in ACTIVE


class FindingEvent(TenantScoped, db.Model):
    """The finding's history, one row per step (beside the engine's audit events)."""

    __tablename__ = "idle_finding_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("idle_finding.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    status_after: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
