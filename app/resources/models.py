"""Resource applications, allocations of catalogue items to projects, and their history.

An application is what a process works on (its number is the instance's business key); an
allocation is a quantity of one catalogue item held by a project, of one kind, in one state.
Every change of an allocation leaves an :class:`AllocationEvent`: the history units and the
operator read, and the record a missed deadline is escalated on.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, utcnow
from app.projects.models import Project
from app.security import TenantScoped

BigId = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER keys
Quantity = Numeric(18, 4)

# Kinds of allocation (M.19, M.22–M.24).
TEST, FORMAL, DEVELOPMENT, EMERGENCY, TEMPORARY = "test", "formal", "development", "emergency", "temporary"
KINDS = (TEST, FORMAL, DEVELOPMENT, EMERGENCY, TEMPORARY)
STANDARD_KINDS = (TEST, FORMAL)  # counted against the project quota (M.20)
SPECIAL_KINDS = (DEVELOPMENT, EMERGENCY, TEMPORARY)  # with an expiry (M.21–M.24)

REQUESTED, OPEN, EXPANDING, RECLAIMING, RECLAIMED, REJECTED = (
    "requested", "open", "expanding", "reclaiming", "reclaimed", "rejected")
STATES = (REQUESTED, OPEN, EXPANDING, RECLAIMING, RECLAIMED, REJECTED)
ACTIVE_STATES = (REQUESTED, OPEN, EXPANDING, RECLAIMING)

# Kinds of application, one process each (DESIGN §2, processes 2–5).
QUOTA, EXPANSION, RECLAIM, EXTENSION = "quota", "expansion", "reclaim", "extension"
APPLICATION_KINDS = (QUOTA, EXPANSION, RECLAIM, DEVELOPMENT, EMERGENCY, TEMPORARY, EXTENSION)
PREFIXES = {QUOTA: "PQ", EXPANSION: "EX", RECLAIM: "RC", DEVELOPMENT: "DV", EMERGENCY: "EM",
            TEMPORARY: "TP", EXTENSION: "XT"}
PENDING, DONE, DECLINED = "pending", "done", "rejected"
APPLICATION_STATES = (PENDING, DONE, DECLINED)


class Application(TenantScoped, db.Model):
    __tablename__ = "resource_application"
    __table_args__ = (Index("ix_resource_application_status", "status", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    reason: Mapped[str] = mapped_column(Text, default="")
    # M.20: the total after expansion exceeds 120 % of the project quota, so eitc decides first.
    over_quota: Mapped[bool] = mapped_column(default=False)
    requested_expiry: Mapped[date | None]
    # M.24: 年度重点工作 / 专题会议 — the ground a temporary application rests on.
    basis: Mapped[str] = mapped_column(String(200), default="")
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    escalated_at: Mapped[datetime | None]
    escalation: Mapped[str] = mapped_column(String(200), default="")
    instance_id: Mapped[int | None] = mapped_column(BigId)

    project: Mapped[Project] = relationship(lazy="joined")
    lines: Mapped[list[ApplicationLine]] = relationship(
        back_populates="application", lazy="selectin", order_by="ApplicationLine.id", cascade="all, delete-orphan")


class ApplicationLine(TenantScoped, db.Model):
    """One catalogue item asked for: a new quantity, an increase (expansion), an allocation to
    reclaim or to extend (``allocation_id``)."""

    __tablename__ = "resource_application_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("resource_application.id", ondelete="CASCADE"),
                                                index=True)
    item_code: Mapped[str] = mapped_column(String(40))
    item_name: Mapped[str] = mapped_column(String(200))
    pricing_unit: Mapped[str] = mapped_column(String(40))
    catalog_item_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_item.id"))
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("resource_allocation.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    # M.24: eitc sets the quota of temporary resources; None means "as requested".
    approved_quantity: Mapped[Decimal | None] = mapped_column(Quantity)

    application: Mapped[Application] = relationship(back_populates="lines")

    @property
    def granted(self) -> Decimal:
        return self.quantity if self.approved_quantity is None else self.approved_quantity


class Allocation(TenantScoped, db.Model):
    __tablename__ = "resource_allocation"
    __table_args__ = (Index("ix_resource_allocation_project", "project_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("resource_application.id"))
    catalog_item_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_item.id"))
    item_code: Mapped[str] = mapped_column(String(40))
    item_name: Mapped[str] = mapped_column(String(200))
    pricing_unit: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    state: Mapped[str] = mapped_column(String(16), default=REQUESTED)
    starts_on: Mapped[date | None]
    expires_on: Mapped[date | None]  # special kinds: the last day of use (M.22–M.24)
    # M.22: development resources never serve outside users.
    external_access: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(lazy="joined")

    @property
    def is_special(self) -> bool:
        return self.kind in SPECIAL_KINDS


class AllocationEvent(TenantScoped, db.Model):
    """Append-only history of allocations and applications."""

    __tablename__ = "resource_event"
    __table_args__ = (Index("ix_resource_event_allocation", "allocation_id", "at"),
                      Index("ix_resource_event_application", "application_id", "at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("resource_allocation.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("resource_application.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    state_after: Mapped[str | None] = mapped_column(String(16))
    quantity_before: Mapped[Decimal | None] = mapped_column(Quantity)
    quantity_after: Mapped[Decimal | None] = mapped_column(Quantity)
    expires_before: Mapped[date | None]
    expires_after: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")
