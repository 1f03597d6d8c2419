"""Statement amounts, hand-computed, for each pricing type (M.27, P.4 types 1–3, DESIGN §4)."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from app.billing import service
from app.billing.models import MONTHLY, TRUE_UP
from app.extensions import db
from tests.billing.conftest import catalogue, coefficient, contract, resource, use, vendor

NOW = datetime(2025, 10, 3, 2, 0, tzinfo=UTC)


def draft(tenant: str, period: str, kind: str = MONTHLY):
    start, end = service.parse_period(period)
    statements = service.draft(db.session, "bdc1", tenant_id=tenant, kind=kind, start=start, end=end, now=NOW)
    db.session.commit()
    return statements


def lines_of(statement) -> dict[str, list]:
    found: dict[str, list] = {}
    for line in statement.lines:
        found.setdefault(line.item_code, []).append(line)
    return found


def test_unit_price_is_price_times_actual_usage(world):
    vcpu, disk = resource("huangpu", "IAAS-VCPU"), resource("huangpu", "IAAS-DISK")
    use(vcpu, date(2025, 9, 1), 30, "3")  # 90 核·日 × 45 = 4050.00
    use(disk, date(2025, 9, 1), 1, "1234.5678")  # 1234.5678 GB·日 × 0.8 = 987.65424 → 987.65
    [statement] = draft("huangpu", "2025-09")
    lines = lines_of(statement)
    assert (lines["IAAS-VCPU"][0].quantity, lines["IAAS-VCPU"][0].amount) == (Decimal(90), Decimal("4050.00"))
    assert lines["IAAS-DISK"][0].amount == Decimal("987.65")
    assert lines["IAAS-VCPU"][0].price_source == "catalogue" and lines["IAAS-VCPU"][0].source_ref.startswith("V1")
    assert statement.total == Decimal("5037.65") and statement.vendor_id is None
    assert (statement.number, statement.period_end) == ("JS202509-huangpu-V0-U0", date(2025, 9, 30))


def test_licences_are_billed_for_the_most_held_in_the_month(world):
    os_ = resource("xuhui", "SW-OS")
    use(os_, date(2025, 9, 1), 10, "3")
    use(os_, date(2025, 9, 11), 20, "5")  # peak 5 licences × 120.50 = 602.50 (P.4 type 1)
    [statement] = draft("xuhui", "2025-09")
    [line] = statement.lines
    assert (line.pricing_type, line.quantity, line.amount) == ("licence", Decimal(5), Decimal("602.50"))
    assert (line.first_day, line.last_day) == (date(2025, 9, 1), date(2025, 9, 30))


def test_tiered_monthly_bills_use_the_provisional_price(world):
    oss = resource("huangpu", "OSS")
    use(oss, date(2025, 9, 1), 1, "123.4567")  # 123.4567 TB × 100 (provisional) = 12345.67
    [statement] = draft("huangpu", "2025-09")
    [line] = statement.lines
    assert (line.price_source, line.unit_price, line.amount) == ("provisional", Decimal(100), Decimal("12345.67"))


def _tiered_year():
    """City-wide 2025 OSS: huangpu 100 (Jan) + 200 (Feb), xuhui 250 (Mar), pudong 67 (Dec): Q = 617.
    Graduated: 100 × 100 + 400 × 80 + 117 × 60 = 49,020.00; average 49020/617 = 79.448947 (not round).
    Shares C·q/Q: 23834.6839…, 19862.2366…, 5323.0794…; floors 49,019.98; the 2 fen go to the largest
    remainders (pudong .94, xuhui .66): 23,834.68 + 19,862.24 + 5,323.08 = 49,020.00."""
    hp, xh, pd = resource("huangpu", "OSS"), resource("xuhui", "OSS"), resource("pudong", "OSS")
    use(hp, date(2025, 1, 10), 1, "100")
    use(hp, date(2025, 2, 10), 1, "200")
    use(xh, date(2025, 3, 10), 1, "250")
    use(pd, date(2025, 12, 10), 1, "67")
    return hp, xh, pd


def test_annual_true_up_settles_at_the_city_wide_average(world):
    _tiered_year()
    expected = {"huangpu": ("23834.68", "-30000.00"), "xuhui": ("19862.24", "-25000.00"),
                "pudong": ("5323.08", "-6700.00")}
    for tenant, (share, charged) in expected.items():
        [statement] = draft(tenant, "2025", TRUE_UP)
        final, provisional = statement.lines
        assert (final.price_source, final.unit_price, final.amount) == ("average", Decimal("79.448947"),
                                                                        Decimal(share))
        assert (provisional.price_source, provisional.amount) == ("charged", Decimal(charged))
        assert statement.total == Decimal(share) + Decimal(charged)  # negative: a refund
        assert (statement.kind, statement.period_start, statement.number) == (
            TRUE_UP, date(2025, 1, 1), f"QS2025-{tenant}-V0-U0")
    # The three shares add up to C(Q) exactly.
    assert Decimal("23834.68") + Decimal("19862.24") + Decimal("5323.08") == Decimal("49020.00")


def test_volume_tiers_put_every_unit_at_the_reached_tier(world):
    catalogue(effective_from=date(2025, 1, 1), number=2, mode="volume")  # supersedes V1 from the same day
    _tiered_year()
    # Volume: Q = 617 reaches the 500 tier: 617 × 60 = 37,020.00; average 60; huangpu 300 × 60.
    [statement] = draft("huangpu", "2025", TRUE_UP)
    assert (statement.lines[0].unit_price, statement.lines[0].amount) == (Decimal(60), Decimal("18000.00"))


def test_contract_price_beats_the_catalogue(world):
    vendor_a = vendor()
    found = contract("xuhui", vendor_a, {"IAAS-VCPU": "40"}, starts=date(2025, 9, 1), ends=date(2026, 8, 31))
    use(resource("xuhui", "IAAS-VCPU"), date(2025, 9, 1), 30, "2")  # 60 × 40 = 2400.00, not × 45
    use(resource("huangpu", "IAAS-VCPU"), date(2025, 9, 1), 30, "2")  # no contract: 60 × 45 = 2700.00
    [xuhui] = draft("xuhui", "2025-09")
    [huangpu] = draft("huangpu", "2025-09")
    [line] = xuhui.lines
    assert (line.price_source, line.source_ref, line.contract_id) == ("contract", found.number, found.id)
    assert (xuhui.vendor_id, xuhui.total, huangpu.total) == (vendor_a.id, Decimal("2400.00"), Decimal("2700.00"))


def test_catalogue_version_change_mid_month(world):
    catalogue(effective_from=date(2025, 9, 16), number=2, prices={"IAAS-VCPU": "42"})
    use(resource("huangpu", "IAAS-VCPU"), date(2025, 9, 1), 30, "1")
    [statement] = draft("huangpu", "2025-09")
    # 15 days at V1's 45 + 15 days at V2's 42 = 675.00 + 630.00 (M.16: the version in force that day).
    first, second = sorted(statement.lines, key=lambda line: line.first_day)
    assert (first.source_ref[:2], first.last_day, first.amount) == ("V1", date(2025, 9, 15), Decimal("675.00"))
    assert (second.source_ref[:2], second.first_day, second.amount) == ("V2", date(2025, 9, 16), Decimal("630.00"))
    assert statement.total == Decimal("1305.00")


def test_a_published_coefficient_changes_the_next_period(world):
    vendor_a = vendor()
    contract("xuhui", vendor_a, {"IAAS-VCPU": "40"}, starts=date(2025, 1, 1), ends=date(2025, 12, 31))
    use(resource("xuhui", "IAAS-VCPU"), date(2025, 9, 1), 61, "2")  # September 30 days, October 31 days
    # The Q3 evaluation is published with coefficient 0.95, applying to Q4 (M.27, M.34).
    coefficient(vendor_a, date(2025, 10, 1), date(2025, 12, 31), "0.95")
    [september] = draft("xuhui", "2025-09")
    [october] = draft("xuhui", "2025-10")
    assert september.total == Decimal("2400.00")  # 60 × 40 × 1.0
    assert october.total == Decimal("2356.00")  # 62 × 40 = 2480 × 0.95 = 2356.00: 124.00 less
    assert october.lines[0].coefficient == Decimal("0.95")


def test_a_unit_outside_the_budget_is_billed_directly(world):
    from tests import builders

    outside = builders.organisation(kind="outside", tenant="huangpu", code="huangpu.hospital", name="某医院")
    use(resource("huangpu", "IAAS-VCPU", org=outside), date(2025, 9, 1), 10, "1")  # 10 × 45 = 450.00
    use(resource("huangpu", "IAAS-VCPU"), date(2025, 9, 1), 10, "2")  # 20 × 45 = 900.00
    statements = draft("huangpu", "2025-09")
    by_payer = {s.organisation_id: s for s in statements}
    assert set(by_payer) == {None, outside.id}
    assert (by_payer[outside.id].total, by_payer[None].total) == (Decimal("450.00"), Decimal("900.00"))
    # The unit sees its own bill, not the district's.
    from app.security import Actor
    unit = builders.user("hospital", roles="unit", org=outside)
    assert [s.id for s in service.list_statements(db.session, Actor.of(unit)).items] == [by_payer[outside.id].id]


def test_disaster_recovery_split_shared_city_exclusive_district(world):
    shared, exclusive = resource("pudong", "IAAS-DISK"), resource("pudong", "IAAS-DISK")
    use(shared, date(2025, 9, 1), 1, "1000")  # 800.00, shared platform: city-funded (P.5)
    use(exclusive, date(2025, 9, 1), 1, "500")  # 400.00, pudong's own storage: district-funded
    use(resource("pudong", "IAAS-VCPU"), date(2025, 9, 1), 1, "10")  # 450.00, not DR
    from app.security import Actor
    bdc = Actor.of(world["bdc"])
    service.mark_dr(db.session, bdc, shared.id, "shared")
    service.mark_dr(db.session, bdc, exclusive.id, "exclusive")
    db.session.commit()
    [statement] = draft("pudong", "2025-09")
    assert (statement.total, statement.city_funded, statement.district_funded) == (
        Decimal("1650.00"), Decimal("800.00"), Decimal("850.00"))
    assert sorted((line.dr_funding or "", line.amount) for line in statement.lines) == [
        ("", Decimal("450.00")), ("exclusive", Decimal("400.00")), ("shared", Decimal("800.00"))]


def test_the_orm_refuses_any_change_to_a_confirmed_statement(world):
    import pytest

    from app.billing.models import CONFIRMED, ImmutableStatement, StatementLine

    use(resource("huangpu", "IAAS-VCPU"), date(2025, 9, 1), 2, "1")
    [statement] = draft("huangpu", "2025-09")
    statement.status = CONFIRMED  # the confirming step itself is allowed
    db.session.commit()
    statement.lines.append(StatementLine(tenant_id="huangpu", item_code="X", pricing_type="unit",
                                         price_source="catalogue", first_day=date(2025, 9, 1),
                                         last_day=date(2025, 9, 1), quantity=Decimal(1), unit_price=Decimal(1),
                                         amount=Decimal("1.00")))
    with pytest.raises(ImmutableStatement):
        db.session.flush()
    db.session.rollback()
    db.session.delete(statement)
    with pytest.raises(ImmutableStatement):
        db.session.flush()
    db.session.rollback()
    statement.status = "draft"
    with pytest.raises(ImmutableStatement):
        db.session.flush()
    db.session.rollback()
    assert statement.total == Decimal("90.00")


def test_a_vendor_sees_the_bills_for_its_services_in_every_district(world):
    from app.security import Actor
    from tests import builders

    vendor_a, vendor_b = vendor(), vendor("vendor.b", "乙云服务商")
    contract("xuhui", vendor_a, {"IAAS-VCPU": "40"}, starts=date(2025, 1, 1), ends=date(2025, 12, 31))
    contract("pudong", vendor_a, {"IAAS-VCPU": "41"}, starts=date(2025, 1, 1), ends=date(2025, 12, 31))
    for tenant in ("xuhui", "pudong", "huangpu"):
        use(resource(tenant, "IAAS-VCPU"), date(2025, 9, 1), 1, "1")
        draft(tenant, "2025-09")
    seller = Actor.of(builders.user("vendor.a.user", roles="vendor", org=vendor_a))
    other = Actor.of(builders.user("vendor.b.user", roles="vendor", org=vendor_b))
    seen = service.list_statements(db.session, seller).items
    assert sorted((s.tenant_id, s.total) for s in seen) == [("pudong", Decimal("41.00")), ("xuhui", Decimal("40.00"))]
    assert service.list_statements(db.session, other).items == []


def test_the_true_up_of_a_shared_dr_item_is_city_funded(world):
    from app.security import Actor

    _hp, _xh, pudong = _tiered_year()
    service.mark_dr(db.session, Actor.of(world["bdc"]), pudong.id, "shared")  # P.5: the shared DR platform
    db.session.commit()
    [statement] = draft("pudong", "2025", TRUE_UP)
    # The same share as without the mark (5,323.08 − 6,700.00), now carried by the city.
    assert (statement.total, statement.city_funded, statement.district_funded) == (
        Decimal("-1376.92"), Decimal("-1376.92"), Decimal("0.00"))
    assert {line.dr_funding for line in statement.lines} == {"shared"}
