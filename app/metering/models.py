"""Metered usage (M.13, P.4(6)): one row per resource, catalogue item and day.

Collectors send daily quantities; re-sending a day replaces its row, never adds to it, so the
unique key (resource, item, day) is what makes ingestion idempotent. The item is named by its
stable code: the price comes later from the catalogue version in force on that day (DESIGN §2.7).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db, utcnow
from app.security import TenantScoped

BigId = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER keys
Quantity = Numeric(18, 4)


class UsageRecord(TenantScoped, db.Model):
    __tablename__ = "usage_record"
    __table_args__ = (UniqueConstraint("allocation_id", "item_code", "day"),
                      Index("ix_usage_record_tenant_day", "tenant_id", "day"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("resource_allocation.id", ondelete="CASCADE"))
    item_code: Mapped[str] = mapped_column(String(40))
    day: Mapped[date]
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    source: Mapped[str] = mapped_column(String(64), default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
