"""Going on the cloud: outside applicants (M.7), dedicated domains (M.11), go-live security (M.30).

Each record is what one process works on; its number is the instance's business key. Documents are
attachments (``app.attachments``) named by id in JSON lists.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation
from app.extensions import db, utcnow
from app.projects.models import Project
from app.security import TenantScoped

BigId = BigInteger().with_variant(Integer, "sqlite")

PENDING, ACCEPTED, REFUSED, DECLINED = "pending", "accepted", "refused", "declined"
REVIEWING, RETURNED, APPROVED, WITHDRAWN = "reviewing", "returned", "approved", "withdrawn"
IN_PROGRESS, COMPLETE = "in_progress", "complete"


class OutsideApplication(TenantScoped, db.Model):
    """M.7: a body that is not a city party/government unit applies through its supervising department.
    The tenant is the supervising department's."""

    __tablename__ = "outside_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    body_name: Mapped[str] = mapped_column(String(200))
    body_code: Mapped[str] = mapped_column(String(64))
    body_nature: Mapped[str] = mapped_column(String(100))  # e.g. 国有企业, 社会组织
    reason: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    attachment_ids: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    instance_id: Mapped[int | None] = mapped_column(BigId)

    supervisor: Mapped[Organisation] = relationship(foreign_keys=[supervisor_id], lazy="joined")


class DedicatedDomain(TenantScoped, db.Model):
    """M.11 政务云专有域: the unit's construction and management plan, reviewed by the authority and
    eitc; once approved, the domain with its responsibility split that resources can be placed in."""

    __tablename__ = "dedicated_domain"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    plan_summary: Mapped[str] = mapped_column(Text, default="")
    plan_attachment_ids: Mapped[list] = mapped_column(JSON, default=list)
    # M.11: 根据有关责任分工 — who does what in the domain.
    unit_duties: Mapped[str] = mapped_column(Text)
    bdc_duties: Mapped[str] = mapped_column(Text)
    vendor_duties: Mapped[str] = mapped_column(Text)
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    status: Mapped[str] = mapped_column(String(16), default=REVIEWING)
    rounds: Mapped[int] = mapped_column(default=1)
    # M.11: both reviewers' decisions of the current round ("", "approve", "return"), kept on the record:
    # parallel branches' copies of process variables overwrite each other when they join.
    authority_decision: Mapped[str] = mapped_column(String(16), default="")
    eitc_decision: Mapped[str] = mapped_column(String(16), default="")
    review_note: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None]
    instance_id: Mapped[int | None] = mapped_column(BigId)

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id], lazy="joined")
    placements: Mapped[list[DomainPlacement]] = relationship(
        back_populates="domain", lazy="selectin", order_by="DomainPlacement.id", cascade="all, delete-orphan")


class DomainPlacement(TenantScoped, db.Model):
    """A resource (allocation) placed in an approved dedicated domain; a resource sits in one domain."""

    __tablename__ = "dedicated_domain_placement"
    __table_args__ = (UniqueConstraint("allocation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("dedicated_domain.id", ondelete="CASCADE"), index=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("resource_allocation.id", ondelete="CASCADE"))
    placed_by: Mapped[str] = mapped_column(String(64))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)

    domain: Mapped[DedicatedDomain] = relationship(back_populates="placements")


class GoLiveCheck(TenantScoped, db.Model):
    """M.30: before a system goes live, the unit's security steps and its signed commitment."""

    __tablename__ = "golive_check"
    __table_args__ = (Index("ix_golive_check_project", "project_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    status: Mapped[str] = mapped_column(String(16), default=IN_PROGRESS)
    review_note: Mapped[str] = mapped_column(Text, default="")
    # M.30 上云安全承诺书: the text generated from the project's data, its hash, who signed it and when.
    commitment_text: Mapped[str] = mapped_column(Text, default="")
    commitment_sha256: Mapped[str] = mapped_column(String(64), default="")
    signed_by: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[datetime | None]
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    instance_id: Mapped[int | None] = mapped_column(BigId)

    project: Mapped[Project] = relationship(lazy="joined")
    steps: Mapped[list[GoLiveStep]] = relationship(
        back_populates="check", lazy="selectin", order_by="GoLiveStep.id", cascade="all, delete-orphan")


class GoLiveStep(TenantScoped, db.Model):
    """One recorded security step (a checklist with its evidence); a step done again is a new row."""

    __tablename__ = "golive_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("golive_check.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(24))
    checklist: Mapped[list] = mapped_column(JSON, default=list)
    attachment_ids: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    done_by: Mapped[str] = mapped_column(String(64))
    done_at: Mapped[datetime] = mapped_column(default=utcnow)

    check: Mapped[GoLiveCheck] = relationship(back_populates="steps")
