"""Objects of xuhui for the cross-tenant sweep: a go-live check, a dedicated domain, an outside application."""
from __future__ import annotations

from app.extensions import db
from app.onboarding.models import DedicatedDomain, GoLiveCheck, OutsideApplication
from app.projects.models import Project
from tests import builders


def _unit():
    return builders.user("xh.probe.onboarding", roles="unit", tenant="xuhui")


def xuhui_golive(client, auth) -> dict:
    unit = _unit()
    project = Project(tenant_id="xuhui", code="XM-PROBE-GL", name="探针系统", organisation_id=unit.organisation_id,
                      status="approved", mlps_level=2, applied_by=unit.username)
    db.session.add(project)
    db.session.flush()
    check = GoLiveCheck(tenant_id="xuhui", number="SX-PROBE-1", project_id=project.id, requested_by=unit.username)
    db.session.add(check)
    db.session.commit()
    return {"check_id": check.id}


def xuhui_domain(client, auth) -> dict:
    unit = _unit()
    domain = DedicatedDomain(tenant_id="xuhui", number="ZY-PROBE-1", name="探针专有域",
                             organisation_id=unit.organisation_id, unit_duties="u", bdc_duties="b",
                             vendor_duties="v", status="approved", requested_by=unit.username)
    db.session.add(domain)
    db.session.commit()
    return {"domain_id": domain.id}


def xuhui_outside(client, auth) -> dict:
    unit = _unit()
    application = OutsideApplication(tenant_id="xuhui", number="WB-PROBE-1", body_name="探针企业",
                                     body_code="probe.soe", body_nature="国有企业", supervisor_id=unit.organisation_id,
                                     requested_by=unit.username)
    db.session.add(application)
    db.session.commit()
    return {"application_id": application.id}


PROBES = {
    "onboarding_api.GoLiveCheckById": xuhui_golive,
    "onboarding_api.DomainById": xuhui_domain,
    "onboarding_api.DomainPlacements": xuhui_domain,
    "onboarding_api.OutsideApplicationById": xuhui_outside,
}
BODIES = {"onboarding_api.DomainPlacements": {"allocation_id": 1}}
MISSING = {"check_id": 999999, "domain_id": 999999}
