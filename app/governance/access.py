"""Who sees what in governance, and the documents a step names.

Vendor changes (M.28) concern the vendor that proposes them and the city bodies that decide:
a vendor sees its own organisation's plans; bdc, the authority and eitc see all. Incidents (M.31)
follow the tenant rule (a district sees its own), and inside it a unit or a vendor sees only the
incidents it reported or that concern it. Anything else answers as absent.

Documents are ids in the attachment store (``app.attachments``), parsed and checked there.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from app.accounts.roles import DISTRICT_ROLES
from app.attachments import service as attachments_service
from app.errors import Forbidden
from app.governance.models import SecurityDrill, SecurityIncident, VendorChange
from app.projects.service import organisation_id
from app.security import Actor, all_tenants, scoped

VENDOR, UNIT, BDC = "vendor", "unit", "bdc"
CHANGE_OVERSEERS = frozenset({"bdc", "authority", "eitc", "admin"})
DRILL_READERS = frozenset({"bdc", "authority", "eitc", "admin", VENDOR})


def own_organisation(session: Session, actor: Actor) -> int:
    org_id = organisation_id(session, actor)
    if org_id is None:
        raise Forbidden(_("Only a user of an organisation may do this."))
    return org_id


def visible_changes(session: Session, actor: Actor, *criteria: Any):
    stmt = scoped(actor, VendorChange, *criteria)
    if actor.has_any(CHANGE_OVERSEERS):
        return stmt
    if VENDOR in actor.roles:
        return stmt.where(VendorChange.vendor_id == organisation_id(session, actor))
    return stmt.where(false())


def visible_incidents(session: Session, actor: Actor, *criteria: Any):
    stmt = scoped(actor, SecurityIncident, *criteria)
    if actor.city_wide or actor.roles & DISTRICT_ROLES:
        return stmt
    if UNIT in actor.roles:
        org = organisation_id(session, actor)
        return stmt.where(or_(SecurityIncident.reporter_org_id == org, SecurityIncident.unit_id == org))
    if VENDOR in actor.roles:
        # A vendor serves every district: it sees, in any tenant, the incidents it reported or is
        # held responsible for, and nothing else (a deliberate cross-tenant read, narrowed by organisation).
        org = organisation_id(session, actor)
        return all_tenants(select(SecurityIncident).where(
            *criteria, or_(SecurityIncident.reporter_org_id == org, SecurityIncident.vendor_id == org)))
    return stmt.where(false())


def visible_drills(session: Session, actor: Actor, *criteria: Any):
    stmt = scoped(actor, SecurityDrill, *criteria)
    return stmt if actor.has_any(DRILL_READERS) else stmt.where(false())


def require_documents(session: Session, actor: Actor, ids: Any, *, field: str = "attachment_ids",
                      at_least: int = 0) -> list[int]:
    """The documents a governance record names, checked once for every caller: each id names an
    attachment ``actor`` may see (a vendor or unit only its own organisation's, another tenant's
    answers like a missing one), else 422 naming ``field``, the form or API field the ids came from."""
    return [a.id for a in attachments_service.require_attachments(session, actor, ids, field=field,
                                                                  at_least=at_least)]
