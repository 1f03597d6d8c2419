"""Objects in xuhui for the cross-tenant sweep (tests/foundation/test_isolation_sweep.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.billing.models import CONFIRMED, Statement, StatementLine
from app.extensions import db
from app.projects.models import Project
from app.resources.models import Allocation
from tests import builders


def xuhui_statement(client, auth) -> dict:
    statement = Statement(tenant_id="xuhui", number="JS202509-xuhui-PROBE", kind="monthly",
                          period_start=date(2025, 9, 1), period_end=date(2025, 9, 30), status=CONFIRMED,
                          total=Decimal("90.00"), district_funded=Decimal("90.00"), drafted_by="bdc1")
    statement.lines = [StatementLine(tenant_id="xuhui", item_code="IAAS-VCPU", pricing_type="unit",
                                     price_source="catalogue", first_day=date(2025, 9, 1), last_day=date(2025, 9, 2),
                                     quantity=Decimal(2), unit_price=Decimal(45), amount=Decimal("90.00"))]
    db.session.add(statement)
    db.session.commit()
    return {"statement_id": statement.id}


def xuhui_allocation(client, auth) -> dict:
    unit = builders.user("xh.probe.billing", roles="unit", tenant="xuhui")
    project = Project(tenant_id="xuhui", code="XM-PROBE-B", name="探针", organisation_id=unit.organisation_id,
                      status="approved", applied_by=unit.username)
    db.session.add(project)
    db.session.flush()
    allocation = Allocation(tenant_id="xuhui", number="R-PROBE-B", project_id=project.id, item_code="IAAS-DISK",
                            item_name="disk", pricing_unit="GB", kind="formal", quantity=Decimal(1), state="open")
    db.session.add(allocation)
    db.session.commit()
    return {"allocation_id": allocation.id}


PROBES = {
    "billing_api.StatementById": xuhui_statement,
    "billing_api.StatementRecompute": xuhui_statement,
    "billing_api.StatementCorrections": xuhui_statement,
    "billing_api.DrFundingByAllocation": xuhui_allocation,
}
BODIES = {
    "billing_api.StatementById": {"note": "probe"},
    "billing_api.DrFundingByAllocation": {"funding": "shared"},
}
MISSING = {"statement_id": 999999, "allocation_id": 999999}
