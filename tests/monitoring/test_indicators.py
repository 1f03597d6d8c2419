"""Unit indicators for the evaluation (M.33), hand-computed from rollups and findings."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from app.evaluation import indicators as registry
from app.extensions import db
from app.monitoring.models import Finding, UtilisationDaily
from tests import builders
from tests.resources.conftest import approved_project

START, END = date(2025, 9, 1), date(2025, 9, 30)


def _day(project, day, cpu, memory):
    db.session.add(UtilisationDaily(tenant_id=project.tenant_id, project_id=project.id, day=day, samples=1,
                                    cpu_avg=Decimal(cpu), cpu_max=Decimal(cpu), memory_avg=Decimal(memory),
                                    disk_io_mb=0, network_io_mb=0, requests=0, logins=0, api_calls=0))


def _finding(project, *, detected_on, status, warned_on=None):
    db.session.add(Finding(
        tenant_id=project.tenant_id, project_id=project.id, rule_key="idle", open_key=None, status=status,
        detected_on=detected_on, window_start=detected_on - timedelta(days=30), window_end=detected_on,
        days_with_data=30, days_matched=30, cpu_avg=1, cpu_peak=2, network_mb_avg=0, business_total=0,
        thresholds={}, warned_on=warned_on, closed_at=datetime(2025, 9, 29, tzinfo=UTC)))


def test_indicators_are_registered_for_units(app):
    found = registry.load()
    assert {k: found[k].subject for k in ("unit.utilisation", "unit.findings", "unit.rectification")} == {
        "unit.utilisation": "unit", "unit.findings": "unit", "unit.rectification": "unit"}


def test_unit_scores_over_a_period(db):
    org_a = builders.organisation(kind="district_unit", tenant="xuhui", code="xuhui.a")
    org_b = builders.organisation(kind="district_unit", tenant="huangpu", code="huangpu.b")
    org_none = builders.organisation(kind="district_unit", tenant="xuhui", code="xuhui.none")
    a1, a2, a3, a4 = (approved_project(builders.user(f"a{n}", org=org_a), name=f"a{n}") for n in range(4))
    b1 = approved_project(builders.user("b1", org=org_b), name="b1")
    # A: CPU 20 and 40, memory 30 and 50 → (30 + 40) / 2 = 35 % of a 50 % target = 70 points.
    _day(a1, date(2025, 9, 3), "20", "30")
    _day(a2, date(2025, 9, 4), "40", "50")
    _day(a3, date(2025, 9, 5), "40", "50")
    _day(a4, date(2025, 9, 6), "20", "30")
    _day(a1, date(2025, 8, 31), "99", "99")  # outside the period
    # B: CPU 80, memory 70 → 75 % ≥ target: 100 points.
    _day(b1, date(2025, 9, 10), "80", "70")
    # Findings in September: A's a1 (rectified), a2 (reclaimed), a3 (dismissed, not counted) → 2 of 4 flagged.
    _finding(a1, detected_on=date(2025, 9, 2), status="rectified", warned_on=date(2025, 9, 3))
    _finding(a2, detected_on=date(2025, 9, 2), status="reclaimed", warned_on=date(2025, 9, 3))
    _finding(a3, detected_on=date(2025, 9, 2), status="dismissed")
    _finding(b1, detected_on=date(2025, 8, 1), status="rectified", warned_on=date(2025, 8, 2))  # August
    db.session.commit()
    ids = [org_a.id, org_b.id, org_none.id]
    found = registry.load()

    assert found["unit.utilisation"].score(db.session, ids, START, END) == {org_a.id: Decimal("70.00"),
                                                                          org_b.id: Decimal("100.00")}
    assert found["unit.findings"].score(db.session, ids, START, END) == {org_a.id: Decimal("50.00"),
                                                                       org_b.id: Decimal("100.00")}
    # Of A's two warnings in September, one was rectified; B had none in the period: left out.
    assert found["unit.rectification"].score(db.session, ids, START, END) == {org_a.id: Decimal("50.00")}
