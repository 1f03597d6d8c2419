"""District feedback on vendors' service (P.4(7)): a rating of 1–5 and a comment per period.

P.4(7): 市政务云主管部门会同各区…对服务商开展评价，区级反馈纳入评价。A district body (its
authority or operator) or a using unit rates the vendors that serve its district under a contract;
one rating per rater organisation, vendor and period — rating again replaces it. The rater's
district owns the row (P.4(5)): a district sees its own feedback, a vendor the feedback about
itself, city roles all of it. The service indicator (``vendor.service``) reads these ratings.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Organisation, User
from app.accounts.roles import DISTRICT_ROLES
from app.calendar.rules import local_date
from app.errors import NotFound, ValidationFailed
from app.evaluation.models import VendorFeedback
from app.procurement import service as procurement_service
from app.security import Actor, all_tenants, require_role, scoped

RATERS = ("district.authority", "district.operator", "unit")
LOW_RATING = 2  # a rating this low says what went wrong, so the vendor can act on it
MAX_COMMENT = 2000


def organisation_of(session: Session, actor: Actor) -> Organisation:
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise NotFound("no organisation for the acting user")
    return user.organisation


def vendors(session: Session) -> list[Organisation]:
    """Vendors are city-wide, public organisations: anyone may name one."""
    return list(session.scalars(select(Organisation).where(Organisation.kind == "vendor").order_by(Organisation.name)))


def rate(session: Session, actor: Actor, *, vendor_id: int, period_start: date, period_end: date,
         rating: int, comment: str = "") -> tuple[VendorFeedback, bool]:
    """Record (or replace) the actor organisation's rating; returns the row and whether it is new."""
    require_role(actor, *RATERS)
    rater = organisation_of(session, actor)
    comment = (comment or "").strip()
    errors = _errors(session, rater, vendor_id=vendor_id, period_start=period_start, period_end=period_end,
                     rating=rating, comment=comment)
    if errors:
        raise ValidationFailed(_("The feedback is not valid."), fields=errors)
    found = session.scalar(scoped(actor, VendorFeedback, VendorFeedback.rater_organisation_id == rater.id,
                                  VendorFeedback.vendor_id == vendor_id, VendorFeedback.period_start == period_start))
    created = found is None
    if created:
        found = VendorFeedback(tenant_id=rater.tenant_id, rater_organisation_id=rater.id, vendor_id=vendor_id,
                               period_start=period_start, period_end=period_end, rating=rating, rated_by="")
        session.add(found)
    found.period_end, found.rating, found.comment = period_end, rating, comment
    found.rated_by, found.rated_at = actor.username, clock.now()
    session.flush()
    return found, created


def _errors(session: Session, rater: Organisation, *, vendor_id: int, period_start: date, period_end: date,
            rating: int, comment: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    vendor = session.get(Organisation, vendor_id)
    if vendor is None or vendor.kind != "vendor":
        errors["vendor_id"] = [_("No such vendor.")]
    elif not _serves(session, vendor_id, rater.tenant_id, period_start, period_end):
        # P.4(4), P.4(7): a district rates the vendors it has signed with, for the time they served it.
        errors["vendor_id"] = [_("This vendor had no contract with your district in that period.")]
    if period_start > local_date(clock.now()):
        errors["period"] = [_("The period has not started yet.")]
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = [_("Rate from 1 to 5.")]
    elif rating <= LOW_RATING and not comment:
        errors["comment"] = [_("Say what went wrong when rating 1 or 2.")]
    if len(comment) > MAX_COMMENT:
        errors["comment"] = [_("At most %(n)s characters.", n=MAX_COMMENT)]
    return errors


def _serves(session: Session, vendor_id: int, tenant_id: str, start: date, end: date) -> bool:
    return any(p.vendor_id == vendor_id
               for p in procurement_service.prices_in_force(session, start=start, end=end, tenant_ids=[tenant_id]))


def _visible(session: Session, actor: Actor):
    """P.4(5): a vendor reads what is said about it, a unit its own ratings, a district its district's."""
    if actor.city_wide:
        return all_tenants(select(VendorFeedback))
    if actor.has_any({"vendor"}):
        own = organisation_of(session, actor).id
        # Deliberately across districts: every district's feedback about this vendor, and nothing else.
        return all_tenants(select(VendorFeedback).where(VendorFeedback.vendor_id == own))
    stmt = scoped(actor, VendorFeedback)
    if not actor.has_any(DISTRICT_ROLES):
        stmt = stmt.where(VendorFeedback.rater_organisation_id == organisation_of(session, actor).id)
    return stmt


def list_feedback(session: Session, actor: Actor, *, vendor_id: int | None = None,
                  period_start: date | None = None) -> list[VendorFeedback]:
    stmt = _visible(session, actor)
    if vendor_id is not None:
        stmt = stmt.where(VendorFeedback.vendor_id == vendor_id)
    if period_start is not None:
        stmt = stmt.where(VendorFeedback.period_start == period_start)
    return list(session.scalars(stmt.order_by(VendorFeedback.period_start.desc(), VendorFeedback.id.desc())))


def get_feedback(session: Session, actor: Actor, feedback_id: int) -> VendorFeedback:
    found = session.scalar(_visible(session, actor).where(VendorFeedback.id == feedback_id))
    if found is None:
        raise NotFound(f"VendorFeedback {feedback_id} not found", code="not_found")
    return found


def summary(feedback: list[VendorFeedback]) -> dict[str, Any]:
    ratings = [f.rating for f in feedback]
    return {"count": len(ratings), "average": round(sum(ratings) / len(ratings), 2) if ratings else None}
