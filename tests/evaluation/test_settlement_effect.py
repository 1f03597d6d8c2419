"""M.27: amount = unit price × actual usage × the efficiency coefficient. A published evaluation of
2025Q3 changes the settlement of 2025Q4 — and only that one — by the coefficient from the table."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.billing.calc import amount
from app.evaluation.service import coefficient_on, coefficients_in_force
from app.extensions import db
from tests.evaluation.conftest import VENDOR_SCHEME


def publish_q3(api) -> int:
    started = api.post("authority", "/evaluations", {"period": "2025Q3"})
    api.complete("authority", started["instance_id"], "Task_AuthorityReview",
                 {"authority_decision": "approve", "authority_comment": "同意"})
    api.complete("eitc", started["instance_id"], "Task_EitcReview",
                 {"eitc_decision": "approve", "eitc_comment": "同意"})
    return started["id"]


def test_published_coefficient_changes_the_next_settlement_by_the_expected_amount(api, world):
    api.put("authority", "/evaluation-schemes/vendor", VENDOR_SCHEME)
    v1, v3 = world["v1"].id, world["v3"].id
    # Service only: ratings 4 and 3 → mean 3.5 → 62.50 (delivery and operation missing, reweighted) → 0.95.
    api.post("xh_operator", "/vendor-feedback", {"vendor_id": v1, "period": "2025Q3", "rating": 4})
    api.post("unit", "/vendor-feedback", {"vendor_id": v1, "period": "2025Q3", "rating": 3})
    price, usage = Decimal("45.00"), Decimal("100")  # 100 vCPU·months at 45 yuan

    before = coefficient_on(db.session, organisation_id=v1, day=date(2025, 10, 15))
    assert (before, amount(price, usage, before)) == (Decimal(1), Decimal("4500.00"))
    publish_q3(api)

    during_q3 = coefficient_on(db.session, organisation_id=v1, day=date(2025, 9, 30))
    in_q4 = coefficient_on(db.session, organisation_id=v1, day=date(2025, 10, 15))
    after_q4 = coefficient_on(db.session, organisation_id=v1, day=date(2026, 1, 1))
    assert (during_q3, in_q4, after_q4) == (Decimal(1), Decimal("0.95"), Decimal(1))
    assert amount(price, usage, in_q4) == Decimal("4275.00")  # 225.00 less than at 1.0
    assert amount(price, usage, in_q4) - amount(price, usage, during_q3) == Decimal("-225.00")
    # A vendor nothing was known about is not evaluated and keeps paying at 1.0.
    assert coefficient_on(db.session, organisation_id=v3, day=date(2025, 10, 15)) == Decimal(1)
    rows = coefficients_in_force(db.session, start=date(2025, 10, 1), end=date(2025, 12, 31))
    assert [(r.organisation_id, r.score) for r in rows] == [(v1, Decimal("62.50"))]


def test_a_published_evaluation_lowers_the_next_quarters_statement(api, world):
    """The whole chain (M.27, M.34): ratings → published evaluation → the settlement engine's October
    statement for the vendor's district carries the coefficient, and September's does not."""
    from app.billing import service as billing_service
    from tests.billing.conftest import catalogue, resource, use

    catalogue(effective_from=date(2025, 1, 1), prices={"IAAS-VCPU": "50"})  # the contract says 45
    api.put("authority", "/evaluation-schemes/vendor", VENDOR_SCHEME)
    api.post("xh_operator", "/vendor-feedback", {"vendor_id": world["v1"].id, "period": "2025Q3", "rating": 4})
    api.post("unit", "/vendor-feedback", {"vendor_id": world["v1"].id, "period": "2025Q3", "rating": 3})
    vcpu = resource("xuhui", "IAAS-VCPU")
    use(vcpu, date(2025, 9, 1), 30, "2")  # 60 vCPU·days in September
    use(vcpu, date(2025, 10, 1), 31, "2")  # 62 in October
    publish_q3(api)

    def statement(start: date, end: date):
        figures = billing_service.compute_period(db.session, kind="monthly", start=start, end=end,
                                                 tenant_ids=["xuhui"])
        ((key, lines),) = figures.items()
        return key, lines

    sep_key, september = statement(date(2025, 9, 1), date(2025, 9, 30))
    oct_key, october = statement(date(2025, 10, 1), date(2025, 10, 31))
    assert sep_key.vendor_id == oct_key.vendor_id == world["v1"].id  # the contract's vendor
    # The contract's locked 45 (not the catalogue's 50) × usage × coefficient, to the fen.
    assert [(ln.quantity, ln.coefficient, ln.amount) for ln in september] == [
        (Decimal("60"), Decimal("1"), Decimal("2700.00"))]
    assert [(ln.quantity, ln.coefficient, ln.amount) for ln in october] == [
        (Decimal("62"), Decimal("0.95"), Decimal("2650.50"))]  # 62 × 45 × 0.95
