"""Security incidents (M.31): reporting, the steps of ``security_incident``, reading them.

M.31: 政务云运行管理单位应当建立政务云网络安全事件管理制度 … 协调网络安全事件应急处置，并及时向相关
部门报告. bdc, a unit or a vendor reports an incident with its severity; bdc contains it and
investigates it within deadlines set by severity (``rules.SEVERITIES``), then reports it to the
authority, eitc and the affected district's authority. A missed deadline is escalated, not dropped.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation
from app.accounts.roles import CITY, DISTRICT_ROLES, DISTRICTS
from app.calendar import service as calendar_service
from app.calendar.rules import local_date
from app.errors import NotFound, ValidationFailed
from app.governance import rules
from app.governance.access import BDC, UNIT, VENDOR, own_organisation, require_documents
from app.governance.access import visible_incidents as _visible
from app.governance.models import CLOSED, INVESTIGATING, REPORTING, SecurityIncident
from app.security import SYSTEM, Actor, all_tenants, require_role
from app.workflow import service as workflow_service

PROCESS = "security_incident"
REPORTERS = (BDC, UNIT, VENDOR, "district.operator")


def report(session: Session, actor: Actor, *, title: str, severity: int, occurred_at: datetime, now: datetime,
           description: str = "", tenant_id: str | None = None, vendor_id: int | None = None,
           attachment_ids: list[int] | str | None = None) -> SecurityIncident:
    """M.31: an incident is reported with its severity; its handling starts at once."""
    require_role(actor, *REPORTERS)
    org_id = own_organisation(session, actor)
    tenant = _tenant(actor, tenant_id)
    if severity not in rules.SEVERITIES:
        raise ValidationFailed(_("Some fields are invalid."), fields={"severity": [_("A level from 1 to 4.")]})
    if not (title or "").strip():
        raise ValidationFailed(_("Some fields are invalid."), fields={"title": [_("Required.")]})
    if occurred_at.tzinfo is None or occurred_at > now:
        raise ValidationFailed(_("Some fields are invalid."), fields={"occurred_at": [_("Not in the future.")]})
    vendor = _vendor(session, vendor_id) if vendor_id else None
    if VENDOR in actor.roles and vendor is None:
        vendor = session.get(Organisation, org_id)  # a vendor reports incidents of its own service
    incident = SecurityIncident(
        tenant_id=tenant, number="", title=title.strip(), description=description or "", severity=severity,
        occurred_at=occurred_at, reporter_org_id=org_id, unit_id=org_id if UNIT in actor.roles else None,
        vendor_id=vendor.id if vendor else None, status="containing", reported_by=actor.username, reported_at=now,
        attachment_ids=require_documents(session, actor, attachment_ids),
        contain_due=rules.contain_due(calendar_service.calendar(session), severity, now))
    session.add(incident)
    session.flush()
    incident.number = f"SI-{local_date(now).year}-{incident.id:06d}"
    # A vendor's right to report in the district it serves was checked above; the instance is
    # started on the system's behalf there, as the engine lets no one start in a tenant they cannot see.
    starter = actor if actor.can_see_tenant(tenant) else SYSTEM
    instance = workflow_service.start_instance(session, starter, process_key=PROCESS, business_key=incident.number,
                                               tenant_id=tenant, variables=_variables(incident))
    incident.instance_id = instance.id
    session.flush()
    return incident


def _tenant(actor: Actor, tenant_id: str | None) -> str:
    """A unit or district reports in its own tenant; bdc or a vendor, which serve every district,
    name the district the incident happened in (or the city)."""
    names_it = (actor.city_wide or VENDOR in actor.roles) and not actor.roles & ({UNIT} | DISTRICT_ROLES)
    if not names_it:
        return actor.tenant_id
    tenant = tenant_id or CITY
    if tenant != CITY and tenant not in DISTRICTS:
        raise ValidationFailed(_("Some fields are invalid."), fields={"tenant_id": [tenant]})
    return tenant


def _vendor(session: Session, vendor_id: int) -> Organisation:
    vendor = session.get(Organisation, vendor_id)
    if vendor is None or vendor.kind != VENDOR:
        raise ValidationFailed(_("Some fields are invalid."), fields={"vendor_id": [_("Not a cloud vendor.")]})
    return vendor


def vendor_options(session: Session) -> list[dict[str, str]]:
    """The vendors an investigation may attribute the incident to (a select's ``valuesKey``)."""
    rows = session.execute(select(Organisation.id, Organisation.name).where(Organisation.kind == VENDOR)
                           .order_by(Organisation.name)).all()
    return [{"label": "无（非服务商原因）", "value": ""}] + [{"label": name, "value": str(i)} for i, name in rows]


def _variables(incident: SecurityIncident) -> dict[str, Any]:
    severity = rules.SEVERITIES[incident.severity]
    return {"incident_id": incident.id, "incident_no": incident.number, "title": incident.title,
            "description": incident.description or "—", "severity": incident.severity,
            "severity_name": severity.name, "district": DISTRICTS.get(incident.tenant_id, "市级"),
            "contain_due": incident.contain_due.isoformat() if incident.contain_due else None}


# -- reading -------------------------------------------------------------------------------------
def get(session: Session, actor: Actor, incident_id: int) -> SecurityIncident:
    incident = session.scalar(_visible(session, actor, SecurityIncident.id == incident_id))
    if incident is None:
        raise NotFound(_("No such incident."), code="not_found")
    return incident


def list_incidents(session: Session, actor: Actor, *, status: str | None = None,
                   severity: int | None = None) -> list[SecurityIncident]:
    stmt = _visible(session, actor)
    if status:
        stmt = stmt.where(SecurityIncident.status == status)
    if severity:
        stmt = stmt.where(SecurityIncident.severity == severity)
    return list(session.scalars(stmt.order_by(SecurityIncident.id.desc())))


# -- the process's steps ---------------------------------------------------------------------------
def for_step(session: Session, incident_id: int) -> SecurityIncident:
    incident = session.scalar(all_tenants(select(SecurityIncident).where(SecurityIncident.id == incident_id)))
    if incident is None:
        raise NotFound(f"incident {incident_id} not found")
    return incident


def contained(session: Session, incident: SecurityIncident, *, note: str, now: datetime) -> dict[str, Any]:
    """Containment done: the report deadline runs from now (M.31: reported in time)."""
    incident.status, incident.contained_at, incident.containment_note = INVESTIGATING, now, note
    incident.report_due = rules.report_due(calendar_service.calendar(session), incident.severity, now)
    return {"report_due": incident.report_due.isoformat()}


def investigated(session: Session, incident: SecurityIncident, *, cause: str, vendor_id: str | int | None) -> None:
    incident.status, incident.cause = REPORTING, cause
    if vendor_id not in (None, ""):
        incident.vendor_id = _vendor(session, int(vendor_id)).id


def reported(incident: SecurityIncident, *, summary: str, documents: list[int], now: datetime) -> list[str]:
    """M.31: the report reaches the authority, eitc and, for a district's incident, its authority."""
    recipients = ["authority", "eitc"]
    if incident.tenant_id != CITY:
        recipients.append(f"district.authority@{incident.tenant_id}")
    incident.report_summary, incident.report_attachment_ids = summary, documents
    incident.reported_to, incident.report_sent_at = recipients, now
    incident.status, incident.closed_at = CLOSED, now
    return recipients


def escalate(incident: SecurityIncident, *, step: str, now: datetime) -> None:
    """DESIGN §2: a missed deadline is shown and escalated; the step stays open."""
    incident.escalated_at = incident.escalated_at or now
    incident.escalation = step[:200]
