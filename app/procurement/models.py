"""Contracts a district operator signs with a winning vendor (P.4(4)).

A contract's prices are the published procurement prices and never change (不再次议价): the
settlement reads them for every day the contract is in force.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
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


# -- the solicitation round (P.4(1)–(3)) ---------------------------------------------------------------
REPLYING, AGGREGATED, ENTRUSTED, PUBLISHED, CLOSED = "replying", "aggregated", "entrusted", "published", "closed"
ROUND_STATES = (REPLYING, AGGREGATED, ENTRUSTED, PUBLISHED, CLOSED)
# A district's reply: still awaited, demand given (then filed by finance), declined, or missed the deadline.
PENDING, DEMAND, DECLINED, NO_REPLY = "pending", "demand", "declined", "no_reply"
REPLY_STATES = (PENDING, DEMAND, DECLINED, NO_REPLY)


class Solicitation(TenantScoped, db.Model):
    """采购征询单: issued by bdc (tenant ``city``) to the district authorities (P.4(1))."""

    __tablename__ = "solicitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    budget_year: Mapped[int]
    reply_deadline: Mapped[date]  # P.4(2): aligned with the districts' budget calendar
    status: Mapped[str] = mapped_column(String(16), default=REPLYING)
    note: Mapped[str] = mapped_column(Text, default="")
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    entrusted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    instance_id: Mapped[int | None]

    items: Mapped[list[SolicitationItem]] = relationship(
        back_populates="solicitation", lazy="selectin", order_by="SolicitationItem.id", cascade="all, delete-orphan")


class SolicitationItem(TenantScoped, db.Model):
    """An item of the solicitation and, once procurement has recorded it, its result (P.4(3))."""

    __tablename__ = "solicitation_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    solicitation_id: Mapped[int] = mapped_column(ForeignKey("solicitation.id", ondelete="CASCADE"), index=True)
    item_code: Mapped[str] = mapped_column(String(40))
    item_name: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    pricing_unit: Mapped[str] = mapped_column(String(40))
    pricing_type: Mapped[str] = mapped_column(String(16))
    estimated_unit_price: Mapped[Decimal] = mapped_column(Money)
    service_standard: Mapped[str] = mapped_column(Text, default="")
    # The result (P.4(3)): winning vendor, unit price, standard and term.
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    unit_price: Mapped[Decimal | None] = mapped_column(Money)
    result_standard: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]

    solicitation: Mapped[Solicitation] = relationship(back_populates="items")


class SolicitationReply(TenantScoped, db.Model):
    """One district's answer (tenant = the district): demand or decline, finance filing, opt-in."""

    __tablename__ = "solicitation_reply"
    __table_args__ = (UniqueConstraint("solicitation_id", "tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    solicitation_id: Mapped[int] = mapped_column(ForeignKey("solicitation.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    note: Mapped[str] = mapped_column(Text, default="")
    replied_by: Mapped[str | None] = mapped_column(String(64))
    replied_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]  # the reminder before the deadline
    filed_by: Mapped[str | None] = mapped_column(String(64))  # P.4(2): 报区财政部门备案
    filed_at: Mapped[datetime | None]
    opted_in: Mapped[bool | None]  # P.4(4): each district decides whether to use the result
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]

    lines: Mapped[list[ReplyLine]] = relationship(
        back_populates="reply", lazy="selectin", order_by="ReplyLine.id", cascade="all, delete-orphan")


class ReplyLine(TenantScoped, db.Model):
    __tablename__ = "solicitation_reply_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("solicitation_reply.id", ondelete="CASCADE"), index=True)
    item_code: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))

    reply: Mapped[SolicitationReply] = relationship(back_populates="lines")


class ContractAudit(TenantScoped, db.Model):
    """Every refused attempt to change a locked contract (P.4(4) 不再次议价): who, when, what."""

    __tablename__ = "contract_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    item_code: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(32))
    attempted: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    attempted_by: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
