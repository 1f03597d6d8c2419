"""Demo catalogue and projects (resources helper): idempotent, written directly, no processes.

The city catalogue is approved from 1 January of this year; each demo project has an approved
quota and holds formal resources, so the pages and quota bars show something on first start.
Applications are left to the people trying the demo: they go through the processes.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation
from app.catalog.models import APPROVED, CatalogItem, CatalogTier, CatalogVersion
from app.demo import data
from app.projects.models import APPROVED as PROJECT_APPROVED
from app.projects.models import Project, ProjectQuota
from app.resources.models import FORMAL, OPEN, Allocation
from app.resources.queries import allocation_number
from app.security import all_tenants


def load(session: Session, *, today: date, now: datetime) -> int:
    """Add the catalogue and the projects that are missing; return how many things were created."""
    created = 0
    version = session.scalar(all_tenants(select(CatalogVersion).where(CatalogVersion.tenant_id == "city")
                                         .order_by(CatalogVersion.number).limit(1)))
    if version is None:
        version = _catalogue(session, date(today.year, 1, 1), now)
        created += 1
    items = {item.code: item for item in version.items}
    for code, org_code, name, periodic, lines in data.PROJECTS:
        if session.scalar(all_tenants(select(Project.id).where(Project.code == code))) is not None:
            continue
        org = session.scalar(select(Organisation).where(Organisation.code == org_code))
        if org is None:
            continue
        _project(session, org, code, name, periodic, lines, items, today, now)
        created += 1
    session.flush()
    return created


def _catalogue(session: Session, effective_from: date, now: datetime) -> CatalogVersion:
    version = CatalogVersion(tenant_id="city", number=1, title=data.CATALOGUE_TITLE, status=APPROVED,
                             effective_from=effective_from, proposed_by="bdc", proposed_at=now, approved_at=now)
    for sort, (code, layer, name, content, unit, price, kind, mode, tiers) in enumerate(data.CATALOGUE_ITEMS):
        item = CatalogItem(tenant_id="city", code=code, layer=layer, name=name, content=content, pricing_unit=unit,
                           unit_price=Decimal(price), pricing_type=kind, tier_mode=mode, sort=sort)
        item.tiers = [CatalogTier(tenant_id="city", lower_bound=Decimal(b), unit_price=Decimal(p)) for b, p in tiers]
        version.items.append(item)
    session.add(version)
    session.flush()
    return version


def _project(session: Session, org: Organisation, code: str, name: str, periodic: str, lines: list, items: dict,
             today: date, now: datetime) -> None:
    project = Project(tenant_id=org.tenant_id, code=code, name=name, organisation_id=org.id, status=PROJECT_APPROVED,
                      mlps_level=3, periodic_load=periodic, applied_by="demo", applied_at=now, approved_at=now,
                      approved_by="eitc", notified_at=now)
    for item_code, quota, peak, _held in lines:
        item = items[item_code]
        project.quotas.append(ProjectQuota(tenant_id=org.tenant_id, item_code=item_code, item_name=item.name,
                                           pricing_unit=item.pricing_unit, quantity=Decimal(quota),
                                           peak_quantity=Decimal(peak) if peak else None))
    session.add(project)
    session.flush()
    for item_code, _quota, _peak, held in lines:
        item = items[item_code]
        allocation = Allocation(tenant_id=org.tenant_id, number="", project_id=project.id, catalog_item_id=item.id,
                                item_code=item_code, item_name=item.name, pricing_unit=item.pricing_unit, kind=FORMAL,
                                quantity=Decimal(held), state=OPEN, starts_on=today, created_at=now, updated_at=now)
        session.add(allocation)
        session.flush()
        allocation.number = allocation_number(allocation)
