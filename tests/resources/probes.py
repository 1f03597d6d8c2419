"""Objects in xuhui for the cross-tenant sweep (tests/foundation/test_isolation_sweep.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.catalog.models import CatalogItem, CatalogVersion
from app.extensions import db
from app.projects.models import Project, ProjectQuota
from app.resources.models import Allocation, Application, ApplicationLine
from tests import builders


def _project() -> Project:
    unit = builders.user("xh.probe.unit", roles="unit", tenant="xuhui")
    project = Project(tenant_id="xuhui", code="XM-PROBE-1", name="徐汇探针项目", organisation_id=unit.organisation_id,
                      status="approved", mlps_level=2, applied_by=unit.username)
    project.quotas = [ProjectQuota(tenant_id="xuhui", item_code="IAAS-VCPU", item_name="vCPU", pricing_unit="核·月",
                                   quantity=Decimal(10))]
    db.session.add(project)
    db.session.commit()
    return project


def xuhui_project(client, auth) -> dict:
    return {"project_id": _project().id}


def xuhui_allocation(client, auth) -> dict:
    project = _project()
    allocation = Allocation(tenant_id="xuhui", number="R-PROBE-1", project_id=project.id, item_code="IAAS-VCPU",
                            item_name="vCPU", pricing_unit="核·月", kind="emergency", quantity=Decimal(2),
                            state="open", starts_on=date(2030, 1, 1), expires_on=date(2030, 3, 1))
    db.session.add(allocation)
    db.session.commit()
    return {"allocation_id": allocation.id}


def xuhui_application(client, auth) -> dict:
    project = _project()
    application = Application(tenant_id="xuhui", number="TP-PROBE-1", kind="temporary", project_id=project.id,
                              status="pending", requested_by="xh.probe.unit")
    application.lines = [ApplicationLine(tenant_id="xuhui", item_code="IAAS-VCPU", item_name="vCPU",
                                         pricing_unit="核·月", quantity=Decimal(2))]
    db.session.add(application)
    db.session.commit()
    return {"application_id": application.id}


def xuhui_catalogue(client, auth) -> dict:
    version = CatalogVersion(tenant_id="xuhui", number=1, title="徐汇区政务云服务目录", status="proposed",
                             effective_from=date(2030, 1, 1), proposed_by="xh.operator")
    version.items = [CatalogItem(tenant_id="xuhui", code="IAAS-VCPU", layer="iaas", name="vCPU",
                                 pricing_unit="核·月", unit_price=Decimal(40), pricing_type="unit")]
    db.session.add(version)
    db.session.commit()
    return {"version_id": version.id}


PROBES = {
    "catalog_api.VersionById": xuhui_catalogue,
    "catalog_api.VersionItems": xuhui_catalogue,
    "projects_api.ProjectById": xuhui_project,
    "resources_api.AllocationById": xuhui_allocation,
    "resources_api.AllocationExtensions": xuhui_allocation,
    "resources_api.ProjectExpansions": xuhui_project,
    "resources_api.ProjectReclaims": xuhui_project,
    "resources_api.ProjectSpecialResources": xuhui_project,
    "resources_api.ApplicationById": xuhui_application,
    "resources_api.ApplicationQuota": xuhui_application,
}
BODIES = {
    "catalog_api.VersionItems": {"items": []},
    "resources_api.AllocationExtensions": {"expires_on": "2030-06-01"},
    "resources_api.ProjectExpansions": {"lines": [{"allocation_id": 1, "quantity": "1"}]},
    "resources_api.ProjectReclaims": {"allocation_ids": [1]},
    "resources_api.ProjectSpecialResources": {"kind": "emergency", "expires_on": "2030-02-01",
                                              "lines": [{"item_code": "IAAS-VCPU", "quantity": "1"}]},
    "resources_api.ApplicationQuota": {"lines": [{"line_id": 1, "quantity": "1"}]},
}
MISSING = {"project_id": 999999, "allocation_id": 999999, "application_id": 999999, "version_id": 999999}
