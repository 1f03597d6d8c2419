"""The catalogue's pricing and the version in force (M.15, M.16; DESIGN §4 tiered pricing)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.catalog import pricing
from app.catalog import service as catalog_service
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from tests.resources.conftest import actor, catalogue

TIERS = [SimpleNamespace(lower_bound=Decimal(b), unit_price=Decimal(p)) for b, p in (("0", "100"), ("100", "80"),
                                                                                      ("500", "60"))]


@pytest.mark.parametrize(("quantity", "graduated", "volume"), [
    ("0", "0", "0"),
    ("100", "10000", "10000"),  # exactly at a bound: still the first tier
    ("100.5", "10040", "8040"),
    ("600", "48000", "36000"),  # 100×100 + 400×80 + 100×60; all 600 at 60
])
def test_graduated_and_volume_tiers(quantity, graduated, volume):
    q = Decimal(quantity)
    assert pricing.tier_cost(TIERS, "graduated", q) == Decimal(graduated)
    assert pricing.tier_cost(TIERS, "volume", q) == Decimal(volume)


def test_average_price_is_cost_over_city_wide_total():
    item = SimpleNamespace(pricing_type="tiered", tier_mode="graduated", tiers=TIERS, unit_price=Decimal(100))
    assert pricing.average_price(item, Decimal(600)) == Decimal(80)
    licence = SimpleNamespace(pricing_type="licence", unit_price=Decimal("3200"), tiers=[])
    assert pricing.cost(licence, Decimal(3)) == Decimal(9600)


def test_the_version_in_force_by_day_and_the_district_fallback(world):
    catalogue("city", effective_from=date(2025, 10, 9), number=2, prices={"IAAS-VCPU": "42"})
    catalogue("pudong", effective_from=date(2025, 7, 1), prices={"IAAS-VCPU": "40"})
    db.session.commit()
    day = date(2025, 10, 8)
    assert catalog_service.version_in_force(db.session, "xuhui", day).number == 1
    assert catalog_service.item_in_force(db.session, "xuhui", "IAAS-VCPU", date(2025, 10, 9)).unit_price == 42
    assert catalog_service.version_in_force(db.session, "pudong", day).tenant_id == "pudong"
    assert catalog_service.version_in_force(db.session, "xuhui", date(2024, 12, 31)) is None


def test_readers_see_the_city_and_their_own_district_only(world):
    xuhui = catalogue("xuhui", effective_from=date(2025, 7, 1))
    db.session.commit()
    assert {v.tenant_id for v in catalog_service.list_versions(db.session, actor(world["unit"]))} == {"city", "xuhui"}
    assert {v.tenant_id for v in catalog_service.list_versions(db.session, actor(world["hp_unit"]))} == {"city"}
    with pytest.raises(NotFound):
        catalog_service.get_version(db.session, actor(world["hp_operator"]), xuhui.id)
    assert catalog_service.get_version(db.session, actor(world["bdc"]), xuhui.id).id == xuhui.id


def test_item_rules_of_m15(world):
    good = {"code": "X", "layer": "iaas", "name": "x", "pricing_unit": "个·月", "unit_price": Decimal(1),
            "pricing_type": "unit", "tiers": []}
    assert catalog_service.item_problems(good) == []
    assert catalog_service.item_problems({**good, "name": ""})
    assert catalog_service.item_problems({**good, "pricing_type": "tiered", "tier_mode": "volume", "tiers": [
        {"lower_bound": Decimal(5), "unit_price": Decimal(1)}]})
    assert catalog_service.item_problems({**good, "tiers": [{"lower_bound": Decimal(0), "unit_price": Decimal(1)}]})
    with pytest.raises(ValidationFailed):
        catalog_service.propose(db.session, actor(world["bdc"]), tenant_id="city", title="x",
                                effective_from=date(2025, 9, 21), items=[good], today=date(2025, 9, 22))
