"""Vendor change proposals (M.28): submission, the steps of ``vendor_change``, and changes carried out.

M.28: 政务云服务商 … 涉及政务云优化、调整的，应当提前向政务云运行管理单位报送优化、调整方案；涉及重大
调整的，还应当组织第三方机构或者专家评估，并报政务云主管部门审核. A vendor submits a plan (window,
affected systems and districts, impact, rollback); bdc approves, returns it for changes or refuses it;
a major plan then carries its evaluation and goes to the authority; the window opens on a timer and
the vendor reports completion. A change carried out on a plan that is not approved, or outside
its window, is recorded as a violation that counts in the vendor's evaluation (M.33).
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.roles import DISTRICTS
from app.attachments.service import parse_ids
from app.calendar import service as calendar_service
from app.calendar.rules import SHANGHAI, local_date
from app.errors import Conflict, NotFound, ValidationFailed
from app.governance import rules
from app.governance.access import (
    BDC,
    VENDOR,
    own_organisation,
    require_documents,
    visible_changes,
)
from app.governance.models import (
    APPROVED,
    AUTHORISED_STATES,
    AUTHORITY_REVIEW,
    COMPLETED,
    EVALUATING,
    IN_WINDOW,
    OUTCOMES,
    OUTSIDE_WINDOW,
    REFUSED,
    RETURNED,
    REVIEWING,
    UNAPPROVED,
    ChangeViolation,
    VendorChange,
)
from app.security import Actor, all_tenants, require_role, scoped
from app.workflow import service as workflow_service

PROCESS = "vendor_change"
CITY = "city"


# -- submitting ----------------------------------------------------------------------------------
def submit(session: Session, actor: Actor, *, title: str, window_start: datetime, window_end: datetime,
           impact: str, rollback_plan: str, now: datetime, description: str = "", affected_systems: str = "",
           affected_districts: list[str] | None = None, major: bool = False,
           attachment_ids: list[int] | str | None = None) -> VendorChange:
    """M.28: a vendor submits its plan in advance; the process starts with bdc's review."""
    require_role(actor, VENDOR)
    vendor_id = own_organisation(session, actor)
    districts = _districts(affected_districts or [])
    _require_text(title=title, impact=impact, rollback_plan=rollback_plan)
    rules.check_window(calendar_service.calendar(session), now=now, start=window_start, end=window_end, major=major)
    change = VendorChange(tenant_id=CITY, number="", vendor_id=vendor_id, title=title.strip(),
                          description=description or "", affected_systems=affected_systems or "",
                          affected_districts=districts, impact=impact.strip(), rollback_plan=rollback_plan.strip(),
                          window_start=window_start.astimezone(UTC), window_end=window_end.astimezone(UTC),
                          major=major,
                          attachment_ids=require_documents(session, actor, attachment_ids),
                          status=REVIEWING, submitted_by=actor.username, submitted_at=now)
    session.add(change)
    session.flush()
    change.number = f"VC-{local_date(now).year}-{change.id:06d}"
    instance = workflow_service.start_instance(session, actor, process_key=PROCESS, business_key=change.number,
                                               tenant_id=CITY, variables=_variables(change, actor))
    change.instance_id = instance.id
    session.flush()
    return change


def _variables(change: VendorChange, actor: Actor) -> dict[str, Any]:
    return {"change_id": change.id, "change_no": change.number, "title": change.title,
            "vendor_name": change.vendor.name if change.vendor else "", "submitter": actor.username,
            "major": change.major, **_plan_variables(change)}


def _plan_variables(change: VendorChange) -> dict[str, Any]:
    """What the forms show of the plan, and the window the timer waits for (ISO, with offset)."""
    return {"window_start": change.window_start.astimezone(SHANGHAI).isoformat(),
            "window_end": change.window_end.astimezone(SHANGHAI).isoformat(),
            "impact": change.impact, "rollback_plan": change.rollback_plan,
            "affected": "、".join(DISTRICTS.get(d, d) for d in change.affected_districts) or "—",
            "affected_systems": change.affected_systems or "—"}


def _districts(codes: list[str]) -> list[str]:
    unknown = [c for c in codes if c not in DISTRICTS and c != CITY]
    if unknown:
        raise ValidationFailed(_("Some fields are invalid."), fields={"affected_districts": unknown})
    return list(dict.fromkeys(codes))


def _require_text(**values: str) -> None:
    missing = {k: [_("Required.")] for k, v in values.items() if not (v or "").strip()}
    if missing:
        raise ValidationFailed(_("Some fields are invalid."), fields=missing)


# -- reading -------------------------------------------------------------------------------------
def get(session: Session, actor: Actor, change_id: int) -> VendorChange:
    change = session.scalar(visible_changes(session, actor, VendorChange.id == change_id))
    if change is None:
        raise NotFound(_("No such change proposal."), code="not_found")
    return change


def list_changes(session: Session, actor: Actor, *, status: str | None = None) -> list[VendorChange]:
    stmt = visible_changes(session, actor)
    if status:
        stmt = stmt.where(VendorChange.status == status)
    return list(session.scalars(stmt.order_by(VendorChange.id.desc())))


def violations(session: Session, actor: Actor, change_id: int | None = None) -> list[ChangeViolation]:
    """Findings of changes carried out without approval: bdc and the authority see all, a vendor its own."""
    visible_ids = visible_changes(session, actor).with_only_columns(VendorChange.id)
    stmt = scoped(actor, ChangeViolation, ChangeViolation.change_id.in_(visible_ids.scalar_subquery()))
    if change_id is not None:
        stmt = stmt.where(ChangeViolation.change_id == change_id)
    return list(session.scalars(stmt.order_by(ChangeViolation.id)))


# -- a change carried out ---------------------------------------------------------------------------
def record_carried_out(session: Session, actor: Actor, change_id: int, *, carried_out_at: datetime,
                       now: datetime, note: str = "") -> ChangeViolation | None:
    """The vendor or bdc records that the change was carried out. Before approval, or outside the
    approved window, it is a violation of M.28 (the vendor's evaluation counts it, M.33)."""
    change = get(session, actor, change_id)
    require_role(actor, VENDOR, BDC)
    if carried_out_at.tzinfo is None:
        raise ValidationFailed(_("Some fields are invalid."), fields={"carried_out_at": [_("Give a time zone.")]})
    if carried_out_at > now:
        raise ValidationFailed(_("Some fields are invalid."),
                               fields={"carried_out_at": [_("A change cannot be carried out in the future.")]})
    if change.status in AUTHORISED_STATES and change.window_start <= carried_out_at <= change.window_end:
        return None
    kind = OUTSIDE_WINDOW if change.status in AUTHORISED_STATES else UNAPPROVED
    violation = ChangeViolation(tenant_id=change.tenant_id, change_id=change.id, vendor_id=change.vendor_id,
                                kind=kind, status_then=change.status, carried_out_at=carried_out_at,
                                note=note or "", recorded_by=actor.username, recorded_at=now)
    session.add(violation)
    session.flush()
    return violation


# -- the process's steps (called by handlers) ---------------------------------------------------------
def for_step(session: Session, change_id: int) -> VendorChange:
    change = session.scalar(all_tenants(select(VendorChange).where(VendorChange.id == change_id)))
    if change is None:
        raise NotFound(f"change {change_id} not found")
    return change


def returned(change: VendorChange, *, note: str) -> None:
    """bdc returns the plan for changes: the vendor revises it."""
    change.status, change.review_note = RETURNED, note


def revise(session: Session, change: VendorChange, data: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """The vendor's revised plan, checked like a new one (M.28: still in advance)."""
    start, end = _moment(data.get("window_start"), "window_start"), _moment(data.get("window_end"), "window_end")
    _require_text(impact=data.get("impact") or "", rollback_plan=data.get("rollback_plan") or "")
    rules.check_window(calendar_service.calendar(session), now=now, start=start, end=end, major=change.major)
    change.window_start, change.window_end = start.astimezone(UTC), end.astimezone(UTC)
    change.impact, change.rollback_plan = str(data["impact"]).strip(), str(data["rollback_plan"]).strip()
    if data.get("attachment_ids"):  # checked against the vendor by the step's guard (handlers.py)
        change.attachment_ids = parse_ids(data.get("attachment_ids"), field="attachment_ids")
    change.status, change.revision = REVIEWING, change.revision + 1
    session.flush()
    return _plan_variables(change)


def _moment(value: Any, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(_("Some fields are invalid."), fields={field: [_("Enter a date and time.")]})
    if moment.tzinfo is None:
        from app.forms.dates import app_zone

        moment = moment.replace(tzinfo=app_zone())
    return moment


def evaluated(change: VendorChange, *, evaluator: str, conclusion: str, documents: list[int]) -> None:
    """M.28: the third-party or expert evaluation of a major change, with its report."""
    if not change.major:
        raise Conflict("only a major change is evaluated")
    change.evaluator, change.evaluation_conclusion = evaluator.strip(), conclusion.strip()
    change.evaluation_attachment_ids, change.status = documents, AUTHORITY_REVIEW


def to_evaluation(change: VendorChange, *, note: str) -> None:
    change.status, change.review_note = EVALUATING, note


def approved(change: VendorChange, *, by: str, now: datetime, note: str) -> None:
    change.status, change.decided_by, change.decided_at, change.decision_note = APPROVED, by, now, note


def refused(change: VendorChange, *, by: str, now: datetime, note: str) -> None:
    change.status, change.decided_by, change.decided_at, change.decision_note = REFUSED, by, now, note


def window_opened(change: VendorChange) -> None:
    change.status = IN_WINDOW


def completed(change: VendorChange, *, outcome: str, rollback_used: bool, note: str, documents: list[int],
              now: datetime) -> None:
    if outcome not in OUTCOMES:
        raise ValidationFailed("unknown outcome", fields={"outcome": [outcome]})
    change.status, change.outcome, change.rollback_used = COMPLETED, outcome, rollback_used
    change.completion_note, change.completion_attachment_ids, change.completed_at = note, documents, now

