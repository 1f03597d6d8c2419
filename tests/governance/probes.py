"""Governance objects the intruder (a huangpu district operator) must not reach, for the
cross-tenant sweep (tests/foundation/test_isolation_sweep.py): a xuhui incident, and a vendor's
change plan and a city drill, which no district body reads."""
from __future__ import annotations

from datetime import UTC, datetime

from app.extensions import db
from app.governance.models import SecurityDrill, SecurityIncident, VendorChange
from tests import builders

AT = datetime(2030, 1, 7, 1, 0, tzinfo=UTC)


def vendor_change(client, auth) -> dict:
    vendor = builders.organisation(kind="vendor", tenant="city", code="vendor.probe", name="探针服务商")
    change = VendorChange(tenant_id="city", number="VC-PROBE-1", vendor_id=vendor.id, title="探针变更", impact="无",
                          rollback_plan="回退", window_start=AT, window_end=AT, status="reviewing",
                          submitted_by="vendor.probe")
    db.session.add(change)
    db.session.commit()
    return {"change_id": change.id}


def xuhui_incident(client, auth) -> dict:
    incident = SecurityIncident(tenant_id="xuhui", number="SI-PROBE-1", title="徐汇探针事件", severity=3,
                                occurred_at=AT, reported_by="xh.probe")
    db.session.add(incident)
    db.session.commit()
    return {"incident_id": incident.id}


def city_drill(client, auth) -> dict:
    drill = SecurityDrill(tenant_id="city", number="DR-PROBE-1", started_by="bdc.probe")
    db.session.add(drill)
    db.session.commit()
    return {"drill_id": drill.id}


PROBES = {
    "governance_api.ChangeById": vendor_change,
    "governance_api.ChangeCarriedOut": vendor_change,
    "governance_api.IncidentById": xuhui_incident,
    "governance_api.DrillById": city_drill,
}
BODIES = {"governance_api.ChangeCarriedOut": {"carried_out_at": "2030-01-07T09:00:00+08:00"}}
MISSING = {"change_id": 999999, "incident_id": 999999, "drill_id": 999999}
