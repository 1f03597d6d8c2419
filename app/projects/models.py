"""Projects (information systems of a user unit) and their approved quota per catalogue item (M.18)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation
from app.extensions import db, utcnow
from app.security import TenantScoped

Quantity = Numeric(18, 4)

# M.18: the quota is applied for at project approval (立项) and reviewed by eitc.
APPLYING, APPROVED, REJECTED = "applying", "approved", "rejected"
PROJECT_STATES = (APPLYING, APPROVED, REJECTED)


class Project(TenantScoped, db.Model):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=APPLYING)
    # M.18: 等保三级及以下非涉密信息系统 — recorded as declared by the unit.
    mlps_level: Mapped[int] = mapped_column(default=2)
    # M.18: a periodic load is declared with the application (周期性动态配额).
    periodic_load: Mapped[str] = mapped_column(Text, default="")
    # M.24: grounds for temporary resources before approval.
    key_work: Mapped[bool] = mapped_column(default=False)
    special_meeting: Mapped[str] = mapped_column(String(200), default="")
    applied_by: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(64))
    # M.18: when eitc's quota notice reached the operator (bdc).
    notified_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    quotas: Mapped[list[ProjectQuota]] = relationship(
        back_populates="project", lazy="selectin", order_by="ProjectQuota.id", cascade="all, delete-orphan")

    @property
    def is_city(self) -> bool:
        return self.tenant_id == "city"

    def quota_for(self, item_code: str) -> ProjectQuota | None:
        return next((q for q in self.quotas if q.item_code == item_code), None)


class ProjectQuota(TenantScoped, db.Model):
    """The approved quota of one catalogue item (by its stable code) for one project."""

    __tablename__ = "project_quota"
    __table_args__ = (UniqueConstraint("project_id", "item_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    item_code: Mapped[str] = mapped_column(String(40))
    item_name: Mapped[str] = mapped_column(String(200))
    pricing_unit: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    # M.18 周期性动态配额: the quota in the declared peak periods, when the load is periodic.
    peak_quantity: Mapped[Decimal | None] = mapped_column(Quantity)

    project: Mapped[Project] = relationship(back_populates="quotas")
