"""Vendor indicators (M.33) from the evidence governance holds: changes without approval and change
outcomes (operation, M.28), incidents attributed to the vendor by severity (security, M.31)."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.evaluation import indicators as registry
from app.extensions import db
from app.governance import indicators
from app.governance.models import ChangeViolation, SecurityIncident, VendorChange
from tests import builders

JUNE = datetime(2025, 6, 10, 2, 0, tzinfo=UTC)
Q2 = (date(2025, 4, 1), date(2025, 6, 30))
_seq = iter(range(1, 1000))


@pytest.fixture()
def vendors(db):
    return [builders.organisation(kind="vendor", tenant="city", code=f"v{i}", name=f"服务商{i}") for i in (1, 2, 3)]


def change(vendor, *, outcome=None, rollback=False, completed_at=JUNE, status="completed") -> VendorChange:
    n = next(_seq)
    row = VendorChange(tenant_id="city", number=f"VC-T-{n}", vendor_id=vendor.id, title="t", impact="i",
                       rollback_plan="r", window_start=JUNE, window_end=JUNE, status=status, submitted_by="v",
                       outcome=outcome, rollback_used=rollback, completed_at=completed_at if outcome else None)
    db.session.add(row)
    db.session.flush()
    return row


def violation(vendor, at=JUNE) -> None:
    row = change(vendor, status="reviewing")
    db.session.add(ChangeViolation(tenant_id="city", change_id=row.id, vendor_id=vendor.id, kind="unapproved",
                                   status_then="reviewing", carried_out_at=at, recorded_by="bdc1"))
    db.session.flush()


def incident(vendor, severity: int, at=JUNE, tenant="xuhui") -> None:
    n = next(_seq)
    db.session.add(SecurityIncident(tenant_id=tenant, number=f"SI-T-{n}", title="t", severity=severity,
                                    occurred_at=at, vendor_id=vendor.id if vendor else None, reported_by="bdc1"))
    db.session.flush()


def test_both_are_registered_for_vendors():
    found = registry.load()
    assert {k: found[k].subject for k in ("vendor.changes", "vendor.security")} == {
        "vendor.changes": "vendor", "vendor.security": "vendor"}


def test_operation_counts_violations_and_outcomes(vendors):
    a, b, c = vendors
    violation(a)
    violation(a)
    change(a, outcome="success")
    change(b, outcome="failed", rollback=True)
    change(b, outcome="partial")
    change(b, outcome="success", completed_at=datetime(2025, 3, 31, 15, 59, tzinfo=UTC))  # 31 Mar 23:59 Shanghai
    violation(b, at=datetime(2025, 6, 30, 16, 0, tzinfo=UTC))  # 1 July 00:00 Shanghai: next period
    scores = indicators.operation(db.session, [a.id, b.id, c.id], *Q2)
    # a: 100 − 2×20 = 60; b: 100 − (10 + 5) − 5 = 80; c: no changes, no evidence, left out.
    assert scores == {a.id: Decimal(60), b.id: Decimal(80)}


def test_operation_never_goes_below_zero(vendors):
    a = vendors[0]
    for _ in range(6):
        violation(a)
    assert indicators.operation(db.session, [a.id], *Q2) == {a.id: Decimal(0)}


def test_security_by_severity(vendors):
    a, b, c = vendors
    incident(a, 1)
    incident(a, 4, tenant="huangpu")
    incident(b, 2)
    incident(b, 3)
    incident(b, 3)
    incident(c, 1, at=datetime(2025, 7, 1, 2, 0, tzinfo=UTC))  # outside the period
    incident(None, 1)  # not attributed to a vendor
    scores = indicators.security(db.session, [a.id, b.id, c.id], *Q2)
    # a: 100 − 40 − 5 = 55; b: 100 − 25 − 10 − 10 = 55; c: none in the period = 100.
    assert scores == {a.id: Decimal(55), b.id: Decimal(55), c.id: Decimal(100)}
    for _ in range(3):
        incident(a, 1)
    assert indicators.security(db.session, [a.id], *Q2) == {a.id: Decimal(0)}
