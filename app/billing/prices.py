"""What each day of use costs: the price book of a settlement run (M.27, M.16, P.4(4)).

Built once per run from the few rows that decide prices — catalogue versions, contracts in force,
published coefficients — and then asked per (tenant, item, day) for the aggregated usage, never
per usage row. Rules:

- P.4(4): a district's signed contract for the item on the day of use fixes the price (locked);
- M.16: otherwise the catalogue version in force that day (the district's own, else the city's);
- M.27: the contract's vendor's published efficiency coefficient for that day, 1.0 when none.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.roles import CITY
from app.billing.models import CATALOGUE, CONTRACT, UNPRICED
from app.catalog.models import APPROVED, CatalogItem, CatalogVersion
from app.evaluation import service as evaluation_service
from app.procurement import service as procurement_service
from app.procurement.models import Contract
from app.security import all_tenants

ONE = Decimal(1)


@dataclass(frozen=True)
class Price:
    """One answer of the price book: evidence kept on the statement line."""

    vendor_id: int | None
    pricing_type: str
    source: str  # contract | catalogue | unpriced
    ref: str  # contract number or catalogue version label
    contract_id: int | None
    version_id: int | None
    unit_price: Decimal
    item_name: str = ""
    pricing_unit: str = ""
    item: CatalogItem | None = None  # the catalogue item (its tiers, for the true-up)


class PriceBook:
    def __init__(self, session: Session, *, start: date, end: date, tenant_ids: list[str] | None):
        """``tenant_ids`` None: every tenant (a city-wide run)."""
        self._versions = _versions(session, None if tenant_ids is None else [*tenant_ids, CITY], end)
        self._contracts: dict[tuple[str, str], list] = defaultdict(list)
        found = procurement_service.prices_in_force(session, start=start, end=end, tenant_ids=tenant_ids)
        numbers = _contract_numbers(session, {p.contract_id for p in found})
        for price in found:
            self._contracts[(price.tenant_id, price.item_code)].append((price, numbers.get(price.contract_id, "")))
        vendors = sorted({p.vendor_id for p in found})
        self._coefficients: dict[int, list] = defaultdict(list)
        if vendors:
            for row in evaluation_service.coefficients_in_force(session, start=start, end=end,
                                                                organisation_ids=vendors):
                self._coefficients[row.organisation_id].append(row)
        self._version_cache: dict[tuple[str, date], CatalogVersion | None] = {}
        self._items: dict[int, dict[str, CatalogItem]] = {}
        self._prices: dict[tuple, Price] = {}

    def version(self, tenant_id: str, day: date) -> CatalogVersion | None:
        """M.16: the version in force on ``day`` — the tenant's own catalogue, else the city's (M.15)."""
        key = (tenant_id, day)
        if key not in self._version_cache:
            found = None
            for tenant in dict.fromkeys([tenant_id, CITY]):
                found = next((v for v in self._versions.get(tenant, []) if v.effective_from <= day), None)
                if found is not None:
                    break
            self._version_cache[key] = found
        return self._version_cache[key]

    def catalogue_item(self, tenant_id: str, code: str, day: date) -> CatalogItem | None:
        version = self.version(tenant_id, day)
        if version is None:
            return None
        if version.id not in self._items:
            self._items[version.id] = {item.code: item for item in version.items}
        return self._items[version.id].get(code)

    def price(self, tenant_id: str, code: str, day: date) -> Price:
        item = self.catalogue_item(tenant_id, code, day)
        # P.4(4): a contract in force that day beats the catalogue; the latest signed term wins.
        in_force = [(p, n) for p, n in self._contracts.get((tenant_id, code), ()) if p.starts_on <= day <= p.ends_on]
        contract = max(in_force, key=lambda pair: (pair[0].starts_on, pair[0].contract_id)) if in_force else None
        key = (tenant_id, code, id(item), contract[0].contract_id if contract else None)
        if key not in self._prices:
            self._prices[key] = _price(item, code, contract)
        return self._prices[key]

    def coefficient(self, vendor_id: int | None, day: date) -> Decimal:
        """M.27: the vendor's published coefficient for the period containing ``day``; 1.0 when none."""
        if vendor_id is None:
            return ONE
        rows = [r for r in self._coefficients.get(vendor_id, ()) if r.applies_from <= day <= r.applies_to]
        return max(rows, key=lambda r: r.applies_from).coefficient if rows else ONE

    def tiered_codes(self) -> set[str]:
        """Items priced by tiers (P.4 type 2) in any version or contract of the run."""
        codes = {i.code for versions in self._versions.values() for v in versions for i in v.items
                 if i.pricing_type == "tiered"}
        codes |= {code for (_tenant, code), rows in self._contracts.items()
                  if any(p.pricing_type == "tiered" for p, _n in rows)}
        return codes


def _price(item: CatalogItem | None, code: str, contract: tuple | None) -> Price:
    name, unit = (item.name, item.pricing_unit) if item is not None else (code, "")
    if contract is not None:
        price, number = contract
        return Price(price.vendor_id, price.pricing_type, CONTRACT, number, price.contract_id, None,
                     price.unit_price, name, unit, item)
    if item is not None:
        return Price(None, item.pricing_type, CATALOGUE, item.version.label[:64], None, item.version_id,
                     item.unit_price, name, unit, item)
    return Price(None, "unit", UNPRICED, "", None, None, Decimal(0), name, unit, None)


def _versions(session: Session, tenants: list[str] | None, end: date) -> dict[str, list[CatalogVersion]]:
    """Approved versions of each tenant effective by ``end``, newest first."""
    stmt = all_tenants(select(CatalogVersion).where(
        CatalogVersion.status == APPROVED, CatalogVersion.effective_from <= end).order_by(
            CatalogVersion.effective_from.desc(), CatalogVersion.number.desc()))
    if tenants is not None:
        stmt = stmt.where(CatalogVersion.tenant_id.in_(sorted(set(tenants))))
    found: dict[str, list[CatalogVersion]] = defaultdict(list)
    for version in session.scalars(stmt):
        found[version.tenant_id].append(version)
    return found


def _contract_numbers(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = all_tenants(select(Contract.id, Contract.number).where(Contract.id.in_(sorted(ids))))
    return dict(session.execute(stmt).all())
