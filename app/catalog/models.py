"""The service catalogue (M.15, M.16): versions, their items and tier tables.

A version is never edited once approved and never deleted: a bill always uses the version in
force on the day of use (DESIGN §2.7). The city catalogue is tenant ``city``; a district that
keeps its own catalogue (M.15 para. 2) has versions in its own tenant.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, utcnow
from app.security import TenantScoped

BigId = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER keys
Money = Numeric(18, 4)  # prices: exact decimals, four places (fen and below, for unit prices)
Quantity = Numeric(18, 4)

LAYERS = ("iaas", "paas", "saas")
# M.15 / DESIGN §2.8: unit price, tiered (阶梯计价) and software licences.
UNIT, TIERED, LICENCE = "unit", "tiered", "licence"
PRICING_TYPES = (UNIT, TIERED, LICENCE)
GRADUATED, VOLUME = "graduated", "volume"
TIER_MODES = (GRADUATED, VOLUME)

# A version's life: bdc proposes → authority reviews → bdc compiles → authority and eitc approve.
PROPOSED, COMPILING, APPROVING, APPROVED, REJECTED = "proposed", "compiling", "approving", "approved", "rejected"
VERSION_STATES = (PROPOSED, COMPILING, APPROVING, APPROVED, REJECTED)
EDITABLE_STATES = (PROPOSED, COMPILING)


class CatalogVersion(TenantScoped, db.Model):
    __tablename__ = "catalog_version"
    __table_args__ = (UniqueConstraint("tenant_id", "number"),
                      Index("ix_catalog_version_in_force", "tenant_id", "status", "effective_from"))

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]  # 1, 2, … within the tenant
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=PROPOSED)
    effective_from: Mapped[date]
    # M.16: an adjustment starts from the version it adjusts.
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_version.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None]
    instance_id: Mapped[int | None] = mapped_column(BigId)

    items: Mapped[list[CatalogItem]] = relationship(
        back_populates="version", lazy="selectin", order_by="CatalogItem.sort, CatalogItem.id",
        cascade="all, delete-orphan")

    @property
    def label(self) -> str:
        return f"V{self.number} {self.title}"


class CatalogItem(TenantScoped, db.Model):
    __tablename__ = "catalog_item"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("catalog_version.id", ondelete="CASCADE"), index=True)
    # Stable across versions: quotas and allocations name the code, prices come from the version in force.
    code: Mapped[str] = mapped_column(String(40))
    layer: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    pricing_unit: Mapped[str] = mapped_column(String(40))
    unit_price: Mapped[Decimal] = mapped_column(Money)
    pricing_type: Mapped[str] = mapped_column(String(16), default=UNIT)
    tier_mode: Mapped[str | None] = mapped_column(String(16))
    sort: Mapped[int] = mapped_column(default=0)

    version: Mapped[CatalogVersion] = relationship(back_populates="items")
    tiers: Mapped[list[CatalogTier]] = relationship(
        back_populates="item", lazy="selectin", order_by="CatalogTier.lower_bound",
        cascade="all, delete-orphan")


class CatalogTier(TenantScoped, db.Model):
    """One row of a tier table: quantities above ``lower_bound`` (up to the next tier's) cost ``unit_price``."""

    __tablename__ = "catalog_tier"
    __table_args__ = (UniqueConstraint("item_id", "lower_bound"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id", ondelete="CASCADE"), index=True)
    lower_bound: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(Money)

    item: Mapped[CatalogItem] = relationship(back_populates="tiers")
