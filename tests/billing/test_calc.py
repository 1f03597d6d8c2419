"""Settlement arithmetic, every figure computed by hand (M.27, P.4 settlement types, P.5)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from app.billing import calc

D = Decimal  # short, so the hand computations read like arithmetic


@dataclass(frozen=True)
class Tier:
    lower_bound: D
    unit_price: D


# 0–100 at 100, 100–500 at 80, above 500 at 60.
TIERS = [Tier(D(0), D(100)), Tier(D(100), D(80)), Tier(D(500), D(60))]


def test_rounding_to_the_fen_is_half_up():
    assert calc.to_fen(D("0.005")) == D("0.01")
    assert calc.to_fen(D("2.345")) == D("2.35")  # banker's rounding would give 2.34
    assert calc.to_fen(D("2.3449")) == D("2.34")


def test_amount_is_price_times_usage_times_coefficient():
    assert calc.amount(D("45"), D("16")) == D("720.00")  # coefficient 1.0 by default
    assert calc.amount(D("45"), D("16"), D("0.95")) == D("684.00")
    assert calc.amount(D("0.8"), D("333.333")) == D("266.67")  # 266.6664
    assert calc.amount(D("12.3456"), D("7"), D("0.9")) == D("77.78")  # 77.77728


def test_unit_price_items_charge_each_district_its_own_usage():
    # P.4 type 3: 1.25 × 101 = 126.25; 1.25 × 3.3 × 0.9 = 3.7125 → 3.71
    assert calc.unit_price_amounts(D("1.25"), {"xuhui": D("101"), "huangpu": D("3.3")},
                                   {"huangpu": D("0.9")}) == {"xuhui": D("126.25"), "huangpu": D("3.71")}


def test_software_licences_are_unit_price_times_licences():
    assert calc.licence_amount(D("3999.995"), 3) == D("11999.99")  # 11999.985 → half up
    assert calc.licence_amount(D("1200"), 5, D("0.8")) == D("4800.00")


def test_largest_remainder_keeps_the_parts_adding_up():
    # 100 / 3 = 33.333…: floors 33.33 × 3 = 99.99, the missing fen goes to the first of equal remainders.
    third = {k: D(100) / 3 for k in "abc"}
    assert calc.largest_remainder(third) == {"a": D("33.34"), "b": D("33.33"), "c": D("33.33")}
    # 0.014 / 0.013 / 0.013 → whole 0.04; floors 0.01 each, one fen to the largest remainder (a).
    assert calc.largest_remainder({"a": D("0.014"), "b": D("0.013"), "c": D("0.013")}) == {
        "a": D("0.02"), "b": D("0.01"), "c": D("0.01")}


def test_tiered_city_total_sets_one_average_price_with_largest_remainder():
    # P.4 type 2 / DESIGN §4. Q = 100 + 100 + 100 = 300; graduated C(300) = 100×100 + 200×80 = 26000.
    # Average 26000 / 300 = 86.666…; each district's exact share is 8666.666…; rounding each
    # half-up would give 3 × 8666.67 = 26000.01, so one district pays 8666.66.
    result = calc.tiered_settlement(TIERS, "graduated", {"xuhui": D(100), "huangpu": D(100), "pudong": D(100)})
    assert result.total_quantity == D(300)
    assert result.cost == D("26000.00")
    assert result.average_price == D("86.666667")
    assert result.shares == {"xuhui": D("8666.67"), "huangpu": D("8666.67"), "pudong": D("8666.66")}
    assert sum(result.shares.values()) == D("26000.00")
    # Paying the rounded average price would not add up: 86.67 × 300 = 26001.
    assert D("86.67") * 300 != result.cost


def test_tiered_shares_for_uneven_usage():
    # Q = 70 + 110 + 320.5 = 500.5; C = 100×100 + 400×80 + 0.5×60 = 42030; average 83.976…
    # exact shares: 42030 × 70/500.5 = 5878.321678…, × 110/500.5 = 9237.362637…, × 320.5/500.5 = 26914.315684…
    # floors 5878.32 + 9237.36 + 26914.31 = 42029.99; the fen goes to the largest remainder (.5684 → pudong).
    result = calc.tiered_settlement(TIERS, "graduated", {"xuhui": D(70), "huangpu": D(110), "pudong": D("320.5")})
    assert result.cost == D("42030.00")
    assert result.average_price == D("83.976024")
    assert result.shares == {"xuhui": D("5878.32"), "huangpu": D("9237.36"), "pudong": D("26914.32")}
    assert sum(result.shares.values()) == result.cost


def test_volume_tiers_price_every_unit_at_the_tier_reached():
    # Q = 300 reaches the 100 tier: C = 300 × 80 = 24000, average 80.
    result = calc.tiered_settlement(TIERS, "volume", {"xuhui": D(120), "huangpu": D(180)})
    assert result.cost == D("24000.00") and result.average_price == D("80.000000")
    assert result.shares == {"xuhui": D("9600.00"), "huangpu": D("14400.00")}


def test_tiered_with_no_usage_charges_nothing():
    result = calc.tiered_settlement(TIERS, "graduated", {"xuhui": D(0)})
    assert result.cost == D("0.00") and result.shares == {"xuhui": D("0.00")}


def test_provisional_months_and_the_annual_true_up():
    # Provisional price 90. xuhui: months 40 + 30 → billed 3600 + 2700 = 6300.
    # huangpu: 100 + 130 → 9000 + 11700 = 20700. Year: Q = 300, average 86.666…
    # Final: xuhui 70 × 86.666… = 6066.666… → 6066.67; huangpu 230 × 86.666… = 19933.333… → 19933.33.
    result = calc.annual_true_up(TIERS, "graduated", {"xuhui": [D(40), D(30)], "huangpu": [D(100), D(130)]},
                                 provisional_price=D(90))
    assert result["xuhui"] == calc.TrueUp(D("6300.00"), D("6066.67"), D("-233.33"))
    assert result["huangpu"] == calc.TrueUp(D("20700.00"), D("19933.33"), D("-766.67"))
    assert result["xuhui"].refund
    assert result["xuhui"].final + result["huangpu"].final == D("26000.00")


def test_provisional_bill_is_rounded_per_month():
    assert calc.provisional_bill(D("86.67"), D("33.3")) == D("2886.11")  # 2886.111


def test_disaster_recovery_split():
    # P.5: the shared platform is city-funded; a district's own compute and storage is the district's.
    split = calc.dr_split([calc.DRCost(D("500000")), calc.DRCost(D("120000.004"), "xuhui"),
                           calc.DRCost(D("30000"), "xuhui"), calc.DRCost(D("80000.005"), "pudong"),
                           calc.DRCost(D("1234.565"))])
    assert split.city == D("501234.57")
    assert split.districts == {"xuhui": D("150000.00"), "pudong": D("80000.01")}


@pytest.mark.parametrize("mode", ["graduated", "volume"])
def test_shares_always_add_up(mode):
    usage = {f"d{i}": D(i * 37 + 1) / 7 for i in range(16)}
    result = calc.tiered_settlement(TIERS, mode, usage)
    assert sum(result.shares.values()) == result.cost
