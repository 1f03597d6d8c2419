"""Contracts: what other domains read (settlement reads the locked prices in force)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.procurement.models import SIGNED, Contract, ContractItem
from app.security import all_tenants


@dataclass(frozen=True)
class ContractPrice:
    tenant_id: str
    vendor_id: int
    contract_id: int
    item_code: str
    pricing_type: str
    unit_price: Decimal
    starts_on: date
    ends_on: date


def prices_in_force(session: Session, *, start: date, end: date,
                    tenant_ids: list[str] | None = None) -> list[ContractPrice]:
    """Every locked contract price in force on some day of [start, end] (P.4(4), M.27).

    A system read for settlement: the caller has already decided which tenants it may see."""
    stmt = (select(Contract.tenant_id, Contract.vendor_id, Contract.id, ContractItem.item_code,
                   ContractItem.pricing_type, ContractItem.unit_price, Contract.starts_on, Contract.ends_on)
            .join(ContractItem, ContractItem.contract_id == Contract.id)
            .where(Contract.status == SIGNED, Contract.starts_on <= end, Contract.ends_on >= start)
            .order_by(Contract.tenant_id, ContractItem.item_code, Contract.starts_on))
    if tenant_ids is not None:
        stmt = stmt.where(Contract.tenant_id.in_(tenant_ids))
    return [ContractPrice(*row) for row in session.execute(all_tenants(stmt))]
