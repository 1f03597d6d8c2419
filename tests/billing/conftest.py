"""Settlement tests: the settlement diagram deployed, a city catalogue with every pricing type,
people of three districts, and builders for usage, contracts and coefficients written directly
(ingestion, procurement and evaluation have their own tests)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path

import pytest

from app.catalog.models import APPROVED, CatalogItem, CatalogTier, CatalogVersion
from app.evaluation.models import EfficiencyCoefficient
from app.extensions import db as _db
from app.metering.models import UsageRecord
from app.procurement.models import Contract, ContractItem
from app.projects.models import APPROVED as PROJECT_APPROVED
from app.projects.models import Project
from app.resources.models import OPEN, Allocation
from app.security import SYSTEM
from app.workflow import deployment
from tests import builders
from tests.resources.conftest import T0, frozen  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]
_seq = count(1)

# code, type, price, unit; OSS is tiered (graduated): 0–100 at 100, 100–500 at 80, above 500 at 60.
ITEMS = [("IAAS-VCPU", "unit", "45.0000", "核·日"), ("IAAS-DISK", "unit", "0.8000", "GB·日"),
         ("SW-OS", "licence", "120.5000", "套·月"), ("OSS", "tiered", "100.0000", "TB")]
OSS_TIERS = (("0", "100"), ("100", "80"), ("500", "60"))


def catalogue(*, effective_from: date, number: int = 1, prices: dict[str, str] | None = None,
              tenant: str = "city", mode: str = "graduated") -> CatalogVersion:
    version = CatalogVersion(tenant_id=tenant, number=number, title="政务云服务目录", status=APPROVED,
                             effective_from=effective_from, proposed_by="bdc1", approved_at=T0)
    for sort, (code, kind, price, unit) in enumerate(ITEMS):
        item = CatalogItem(tenant_id=tenant, code=code, layer="iaas", name=code, pricing_unit=unit,
                           unit_price=Decimal((prices or {}).get(code, price)), pricing_type=kind, sort=sort,
                           tier_mode=mode if kind == "tiered" else None)
        if kind == "tiered":
            item.tiers = [CatalogTier(tenant_id=tenant, lower_bound=Decimal(b), unit_price=Decimal(p))
                          for b, p in OSS_TIERS]
        version.items.append(item)
    _db.session.add(version)
    _db.session.commit()
    return version


def resource(tenant: str, item_code: str, *, kind: str = "district_unit", org=None) -> Allocation:
    """An open allocation of a project of a unit (``kind="outside"``: a unit outside the budget, M.7)."""
    org = org or builders.organisation(kind=kind, tenant=tenant, code=f"{tenant}.{kind}")
    project = Project(tenant_id=tenant, code=f"XM-S-{next(_seq):05d}", name="业务系统", organisation_id=org.id,
                      status=PROJECT_APPROVED, applied_by="unit")
    _db.session.add(project)
    _db.session.flush()
    allocation = Allocation(tenant_id=tenant, number=f"R-S-{next(_seq):05d}", project_id=project.id,
                            item_code=item_code, item_name=item_code, pricing_unit="", kind="formal",
                            quantity=Decimal(1), state=OPEN)
    _db.session.add(allocation)
    _db.session.commit()
    return allocation


def use(allocation: Allocation, first: date, days: int, quantity: str, item_code: str | None = None) -> None:
    """``quantity`` of the allocation's item on each of ``days`` days from ``first``."""
    for offset in range(days):
        _db.session.add(UsageRecord(tenant_id=allocation.tenant_id, allocation_id=allocation.id,
                                    item_code=item_code or allocation.item_code, day=first + timedelta(days=offset),
                                    quantity=Decimal(quantity)))
    _db.session.commit()


def vendor(code: str = "vendor.a", name: str = "甲云服务商"):
    return builders.organisation(kind="vendor", tenant="city", code=code, name=name)


def contract(tenant: str, vendor_org, prices: dict[str, str], *, starts: date, ends: date,
             pricing_type: str = "unit") -> Contract:
    found = Contract(tenant_id=tenant, number=f"HT-{tenant}-{next(_seq):03d}", vendor_id=vendor_org.id,
                     starts_on=starts, ends_on=ends, signed_by="operator")
    found.items = [ContractItem(tenant_id=tenant, item_code=code, item_name=code, pricing_unit="",
                                pricing_type=pricing_type, unit_price=Decimal(price)) for code, price in prices.items()]
    _db.session.add(found)
    _db.session.commit()
    return found


def coefficient(vendor_org, first: date, last: date, value: str) -> None:
    _db.session.add(EfficiencyCoefficient(tenant_id="city", organisation_id=vendor_org.id, applies_from=first,
                                          applies_to=last, coefficient=Decimal(value), published_by="authority"))
    _db.session.commit()


@pytest.fixture()
def world(db, frozen):  # noqa: F811 - the imported fixture
    path = ROOT / "bpmn" / "settlement.bpmn"
    deployment.deploy(_db.session, SYSTEM, path.read_bytes(), path.name)
    catalogue(effective_from=date(2025, 1, 1))
    _db.session.commit()
    return {
        "bdc": builders.user("bdc1", roles="bdc"),
        "eitc": builders.user("eitc1", roles="eitc"),
        "hp_finance": builders.user("hp.finance", roles="district.finance", tenant="huangpu"),
        "xh_finance": builders.user("xh.finance", roles="district.finance", tenant="xuhui"),
        "hp_unit": builders.user("hp.unit", roles="unit", tenant="huangpu"),
    }
