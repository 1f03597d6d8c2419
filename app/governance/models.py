"""Vendor change proposals (M.28), their violation findings, security incidents and drills (M.31).

A change proposal is the record the ``vendor_change`` process works on (its number is the
instance's business key); it belongs to tenant ``city`` because vendors and the operator that
reviews them (bdc) are city bodies. An incident belongs to the district it happened in (or
``city``), so a district sees its own. Documents are attachment ids (``app.attachments``).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation
from app.extensions import db, utcnow
from app.security import TenantScoped

BigId = BigInteger().with_variant(Integer, "sqlite")

# Vendor change states (M.28).
REVIEWING, RETURNED, EVALUATING, AUTHORITY_REVIEW, APPROVED, IN_WINDOW, COMPLETED, REFUSED = (
    "reviewing", "returned", "evaluating", "authority_review", "approved", "in_window", "completed", "refused")
CHANGE_STATES = (REVIEWING, RETURNED, EVALUATING, AUTHORITY_REVIEW, APPROVED, IN_WINDOW, COMPLETED, REFUSED)
# A change carried out in these states, inside its window, was approved (M.28).
AUTHORISED_STATES = (APPROVED, IN_WINDOW, COMPLETED)
OUTCOMES = ("success", "partial", "failed")
UNAPPROVED, OUTSIDE_WINDOW = "unapproved", "outside_window"

# Incident and drill states (M.31).
CONTAINING, INVESTIGATING, REPORTING, CLOSED = "containing", "investigating", "reporting", "closed"
INCIDENT_STATES = (CONTAINING, INVESTIGATING, REPORTING, CLOSED)
PLANNING, EXECUTING, RECORDING = "planning", "executing", "recording"
DRILL_STATES = (PLANNING, EXECUTING, RECORDING, CLOSED)


class VendorChange(TenantScoped, db.Model):
    __tablename__ = "vendor_change"
    __table_args__ = (Index("ix_vendor_change_vendor", "vendor_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    affected_systems: Mapped[str] = mapped_column(Text, default="")
    affected_districts: Mapped[list] = mapped_column(JSON, default=list)
    impact: Mapped[str] = mapped_column(Text, default="")
    rollback_plan: Mapped[str] = mapped_column(Text, default="")
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    major: Mapped[bool] = mapped_column(default=False)
    attachment_ids: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=REVIEWING)
    revision: Mapped[int] = mapped_column(default=1)
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    review_note: Mapped[str] = mapped_column(Text, default="")
    # M.28: a major change is evaluated by a third party or experts, then the authority decides.
    evaluator: Mapped[str] = mapped_column(String(200), default="")
    evaluation_conclusion: Mapped[str] = mapped_column(Text, default="")
    evaluation_attachment_ids: Mapped[list] = mapped_column(JSON, default=list)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(16))
    rollback_used: Mapped[bool | None]
    completion_note: Mapped[str] = mapped_column(Text, default="")
    completion_attachment_ids: Mapped[list] = mapped_column(JSON, default=list)
    completed_at: Mapped[datetime | None]
    instance_id: Mapped[int | None] = mapped_column(BigId)

    vendor: Mapped[Organisation] = relationship(lazy="joined")


class ChangeViolation(TenantScoped, db.Model):
    """M.28: a change carried out without approval, or outside its approved window."""

    __tablename__ = "vendor_change_violation"
    __table_args__ = (Index("ix_vendor_change_violation_vendor", "vendor_id", "carried_out_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("vendor_change.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(20))
    status_then: Mapped[str] = mapped_column(String(20))
    carried_out_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class SecurityIncident(TenantScoped, db.Model):
    __tablename__ = "security_incident"
    __table_args__ = (Index("ix_security_incident_status", "status", "severity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[int]  # 1 特别重大 … 4 一般
    occurred_at: Mapped[datetime]
    reporter_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    # The affected using unit, if one; the vendor whose service caused it, if known (M.33 evaluation).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    attachment_ids: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=CONTAINING)
    reported_by: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    contain_due: Mapped[datetime | None]
    contained_at: Mapped[datetime | None]
    containment_note: Mapped[str] = mapped_column(Text, default="")
    report_due: Mapped[datetime | None]
    cause: Mapped[str] = mapped_column(Text, default="")
    report_summary: Mapped[str] = mapped_column(Text, default="")
    report_attachment_ids: Mapped[list] = mapped_column(JSON, default=list)
    reported_to: Mapped[list] = mapped_column(JSON, default=list)
    report_sent_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    escalation: Mapped[str] = mapped_column(String(200), default="")
    closed_at: Mapped[datetime | None]
    instance_id: Mapped[int | None] = mapped_column(BigId)


class SecurityDrill(TenantScoped, db.Model):
    __tablename__ = "security_drill"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(48), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    scenario: Mapped[str] = mapped_column(Text, default="")
    planned_on: Mapped[date | None]
    participants: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=PLANNING)
    started_by: Mapped[str] = mapped_column(String(64))  # a user, or the schedule's job name
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    executed_on: Mapped[date | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    attachment_ids: Mapped[list] = mapped_column(JSON, default=list)
    closed_at: Mapped[datetime | None]
    instance_id: Mapped[int | None] = mapped_column(BigId)

    findings: Mapped[list[DrillFinding]] = relationship(
        lazy="selectin", order_by="DrillFinding.id", cascade="all, delete-orphan")


class DrillFinding(TenantScoped, db.Model):
    """A problem a drill revealed, with who fixes it by when (M.31)."""

    __tablename__ = "security_drill_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("security_drill.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
