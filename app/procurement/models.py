"""Contracts a district operator signs with a winning vendor (P.4(4)).

A contract's prices are the published procurement prices and never change (不再次议价): the
settlement reads them for every day the contract is in force.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, utcnow
from app.security import TenantScoped

Money = Numeric(18, 4)

SIGNED, EXPIRED, TERMINATED = "signed", "expired", "terminated"
CONTRACT_STATES = (SIGNED, EXPIRED, TERMINATED)


class Contract(TenantScoped, db.Model):
    """Signed by the district operator (the tenant) with one vendor, for a term."""

    __tablename__ = "contract"
    __table_args__ = (Index("ix_contract_in_force", "tenant_id", "starts_on", "ends_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The solicitation round whose published result fixed the prices (None for contracts entered by hand).
    solicitation_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default=SIGNED)
    starts_on: Mapped[date]
    ends_on: Mapped[date]  # the last day of the term
    signed_by: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    items: Mapped[list[ContractItem]] = relationship(
        back_populates="contract", lazy="selectin", order_by="ContractItem.id", cascade="all, delete-orphan")


class ContractItem(TenantScoped, db.Model):
    """One catalogue item (by its stable code) at its locked price."""

    __tablename__ = "contract_item"
    __table_args__ = (Index("ix_contract_item_code", "tenant_id", "item_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    item_code: Mapped[str] = mapped_column(String(40))
    item_name: Mapped[str] = mapped_column(String(200))
    pricing_unit: Mapped[str] = mapped_column(String(40))
    pricing_type: Mapped[str] = mapped_column(String(16))  # catalog.models.PRICING_TYPES
    unit_price: Mapped[Decimal] = mapped_column(Money)  # P.4(4): the published price, locked
    service_standard: Mapped[str] = mapped_column(Text, default="")
    # P.4 type 1: after a software licence's term the next purchase is made centrally by bdc.
    licence_expires_on: Mapped[date | None]

    contract: Mapped[Contract] = relationship(back_populates="items")
