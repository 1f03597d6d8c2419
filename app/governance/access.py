"""Who sees what in governance, and the documents a step names.

Vendor changes (M.28) concern the vendor that proposes them and the city bodies that decide:
a vendor sees its own organisation's plans; bdc, the authority and eitc see all. Incidents (M.31)
follow the tenant rule (a district sees its own), and inside it a unit or a vendor sees only the
incidents it reported or that concern it. Anything else answers as absent.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from app.accounts.roles import DISTRICT_ROLES
from app.errors import Forbidden, ValidationFailed
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


def attachment_ids(value: Any, field: str = "attachment_ids", *, required: bool = False) -> list[int]:
    """Documents are attachment ids: a list of positive integers, or ``"3, 4"`` as a form writes them."""
    if value is None or value == "":
        items: Iterable[Any] = []
    elif isinstance(value, str):
        items = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, list | tuple):
        items = value
    else:
        raise ValidationFailed(_("Some fields are invalid."), fields={field: [_("A list of attachment ids.")]})
    ids: list[int] = []
    for item in items:
        number = int(item) if isinstance(item, int) or (isinstance(item, str) and item.isdigit()) else 0
        if isinstance(item, bool) or number <= 0:
            raise ValidationFailed(_("Some fields are invalid."),
                                   fields={field: [_("Attachment ids are positive whole numbers.")]})
        if number not in ids:
            ids.append(number)
    if required and not ids:
        raise ValidationFailed(_("Some fields are invalid."), fields={field: [_("Attach the document.")]})
    return ids


def require_documents(session: Session, actor: Actor, ids: list[int]) -> list[int]:
    """The documents a governance record names, checked once for every caller."""
    # MERGE: call app.attachments.service.require_attachments(session, actor, ids) here once
    # app/attachments is merged, so an id must name an attachment the actor may see.
    return ids

