"""Objects in xuhui for the cross-tenant sweep (tests/foundation/test_isolation_sweep.py)."""
from __future__ import annotations

from datetime import date

from app.extensions import db
from app.monitoring.models import Finding
from tests.resources.probes import _project


def xuhui_system(client, auth) -> dict:
    return {"project_id": _project().id}


def xuhui_finding(client, auth) -> dict:
    project = _project()
    finding = Finding(tenant_id="xuhui", project_id=project.id, rule_key="idle", open_key="idle", status="open",
                      detected_on=date(2030, 1, 1), window_start=date(2029, 12, 1), window_end=date(2029, 12, 31),
                      days_with_data=30, days_matched=30, cpu_avg=1, cpu_peak=2, network_mb_avg=0,
                      business_total=0, thresholds={})
    db.session.add(finding)
    db.session.commit()
    return {"finding_id": finding.id}


PROBES = {
    "monitoring_api.SystemUtilisation": xuhui_system,
    "monitoring_api.FindingById": xuhui_finding,
}
BODIES: dict[str, dict] = {}
MISSING = {"finding_id": 999999}
# A rule's key names a city-wide setting, not a tenant's object.
NOT_TENANT_OBJECTS = {"monitoring_api.RuleByKey"}
