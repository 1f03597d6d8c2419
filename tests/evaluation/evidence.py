"""Evidence for the vendor indicators, written directly: resource events and metered usage in 2025Q3."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from app.extensions import db
from app.metering.models import UsageRecord
from app.projects.models import Project
from app.resources.models import Allocation, AllocationEvent, Application


def allocation(unit_user, *, starts_on: date, number: str) -> Allocation:
    org = unit_user.organisation
    project = Project(tenant_id=org.tenant_id, code=f"XM-{number}", name="系统", organisation_id=org.id,
                      status="approved", mlps_level=2, applied_by=unit_user.username)
    db.session.add(project)
    db.session.flush()
    found = Allocation(tenant_id=org.tenant_id, number=number, project_id=project.id, item_code="IAAS-VCPU",
                       item_name="vCPU", pricing_unit="核·月", kind="formal", quantity=Decimal(8), state="open",
                       starts_on=starts_on)
    db.session.add(found)
    db.session.commit()
    return found


def delivery(alloc: Allocation, *, at: datetime, kind: str = "opened", escalation: str | None = None) -> None:
    """One delivery step on ``alloc`` through its own application, escalated first when ``escalation``."""
    application = Application(tenant_id=alloc.tenant_id, number=f"EX-{alloc.number}-{at:%m%d%H}", kind="expansion",
                              project_id=alloc.project_id, status="done", requested_by="unit")
    db.session.add(application)
    db.session.flush()
    if escalation:
        db.session.add(AllocationEvent(tenant_id=alloc.tenant_id, application_id=application.id, actor="system",
                                       kind="escalated", note=escalation, at=at - timedelta(days=1)))
    db.session.add(AllocationEvent(tenant_id=alloc.tenant_id, allocation_id=alloc.id, application_id=application.id,
                                   actor="bdc1", kind=kind, at=at))
    db.session.commit()


def usage(alloc: Allocation, days: list[date]) -> None:
    db.session.add_all(UsageRecord(tenant_id=alloc.tenant_id, allocation_id=alloc.id, item_code=alloc.item_code,
                                   day=day, quantity=Decimal(8)) for day in days)
    db.session.commit()


def q3_days() -> list[date]:
    return [date(2025, 7, 1) + timedelta(days=n) for n in range(92)]


def at(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 2, 0, tzinfo=UTC)
