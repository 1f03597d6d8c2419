"""Vendor indicators for the efficiency evaluation (M.33: 运行维护和安全保障 of vendors).

Both start from 100 and lose points for evidence held here, never below 0:

- ``vendor.changes`` (M.28, operation): each change carried out without approval or outside its window
  costs 20; of the changes completed in the period, a failed one costs 10, a partial one 5, and
  one rolled back 5 more. A vendor with neither changes nor violations in the period is left out
  (no evidence: the scheme decides).
- ``vendor.security`` (M.31): each incident attributed to the vendor, by when it occurred, costs
  by severity: 特别重大 40, 重大 25, 较大 10, 一般 5. The incident register is complete, so a vendor
  with none scores 100.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.calendar.rules import SHANGHAI
from app.evaluation.indicators import VENDOR, indicator
from app.governance.models import COMPLETED, ChangeViolation, SecurityIncident, VendorChange
from app.security import all_tenants

FULL, ZERO = Decimal(100), Decimal(0)
VIOLATION_PENALTY = Decimal(20)
OUTCOME_PENALTY = {"failed": Decimal(10), "partial": Decimal(5), "success": ZERO}
ROLLBACK_PENALTY = Decimal(5)
SEVERITY_PENALTY = {1: Decimal(40), 2: Decimal(25), 3: Decimal(10), 4: Decimal(5)}


def _span(start: date, end: date) -> tuple[datetime, datetime]:
    """The period as moments: from 00:00 of ``start`` to 24:00 of ``end``, Shanghai time."""
    return (datetime.combine(start, time(0), tzinfo=SHANGHAI),
            datetime.combine(end + timedelta(days=1), time(0), tzinfo=SHANGHAI))


def _floor(score: Decimal) -> Decimal:
    return max(score, ZERO)


@indicator("vendor.changes", subject=VENDOR, label=_l("Changes: approved in advance and carried out well"))
def operation(session: Session, organisation_ids: list[int], start: date, end: date) -> dict[int, Decimal]:
    low, high = _span(start, end)
    penalties: dict[int, Decimal] = defaultdict(lambda: ZERO)
    seen: set[int] = set()
    violations = session.scalars(all_tenants(select(ChangeViolation).where(
        ChangeViolation.vendor_id.in_(organisation_ids), ChangeViolation.carried_out_at >= low,
        ChangeViolation.carried_out_at < high)))
    for violation in violations:
        seen.add(violation.vendor_id)
        penalties[violation.vendor_id] += VIOLATION_PENALTY  # M.28: carried out without approval
    done = session.scalars(all_tenants(select(VendorChange).where(
        VendorChange.vendor_id.in_(organisation_ids), VendorChange.status == COMPLETED,
        VendorChange.completed_at >= low, VendorChange.completed_at < high)))
    for change in done:
        seen.add(change.vendor_id)
        penalties[change.vendor_id] += OUTCOME_PENALTY.get(change.outcome or "", ZERO)
        penalties[change.vendor_id] += ROLLBACK_PENALTY if change.rollback_used else ZERO
    return {vendor: _floor(FULL - penalties[vendor]) for vendor in sorted(seen)}


@indicator("vendor.security", subject=VENDOR, label=_l("Security incidents attributed to the vendor"))
def security(session: Session, organisation_ids: list[int], start: date, end: date) -> dict[int, Decimal]:
    low, high = _span(start, end)
    scores = {vendor: FULL for vendor in organisation_ids}
    rows = session.execute(all_tenants(select(SecurityIncident.vendor_id, SecurityIncident.severity).where(
        SecurityIncident.vendor_id.in_(organisation_ids), SecurityIncident.occurred_at >= low,
        SecurityIncident.occurred_at < high)))
    for vendor, severity in rows:
        scores[vendor] = _floor(scores[vendor] - SEVERITY_PENALTY[severity])  # M.31, by severity
    return scores
