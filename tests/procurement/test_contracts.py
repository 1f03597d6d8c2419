"""Locked prices (P.4(4) 不再次议价) and the software-licence rule (P.4 type 1) on contracts signed in a round."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.procurement import contracts
from app.procurement.models import ContractAudit, ContractItem
from app.security import Actor, all_tenants
from tests.procurement.test_e2e_round import run_round


@pytest.fixture()
def signed(api, frozen, world):
    run_round(api, frozen, world)
    return {c["tenant"] + ":" + c["items"][0]["item_code"]: c for c in api.get("bdc", "/contracts")["items"]}


def test_price_change_is_refused_and_audited(api, signed, frozen):
    contract = signed["huangpu:IAAS-VCPU"]
    vcpu = next(i for i in contract["items"] if i["item_code"] == "IAAS-VCPU")
    frozen.current = datetime(2026, 2, 2, 2, 0, tzinfo=UTC)
    body = api.call("huangpu.operator", "PATCH", f"/contracts/{contract['id']}/items/{vcpu['id']}",
                    {"unit_price": "30.00"}, status=409)
    assert body["error"]["code"] == "price_locked"
    assert "不再次议价" in body["error"]["message"] and "unit_price" in body["error"]["fields"]
    # Not even bdc may re-price a district's contract.
    api.call("bdc", "PATCH", f"/contracts/{contract['id']}/items/{vcpu['id']}", {"unit_price": "39"}, status=409)

    trail = api.get("huangpu.operator", f"/contracts/{contract['id']}/audit")
    assert [(a["action"], a["attempted_by"], a["item_code"]) for a in trail] == [
        ("price_change", "huangpu.operator", "IAAS-VCPU"), ("price_change", "bdc1", "IAAS-VCPU")]
    assert trail[0]["attempted"] == {"unit_price": "30.00", "current_unit_price": "38.5000"}
    assert trail[0]["attempted_at"] == "2026-02-02T02:00:00+00:00"
    again = api.get("huangpu.operator", f"/contracts/{contract['id']}")
    assert next(i for i in again["items"] if i["item_code"] == "IAAS-VCPU")["unit_price"] == "38.5000"


def test_no_code_path_can_reprice_a_stored_item(signed):
    item = db.session.scalar(all_tenants(select(ContractItem).where(ContractItem.item_code == "IAAS-MEM")).limit(1))
    item.unit_price = Decimal("9.99")
    with pytest.raises(contracts.PriceLocked):
        db.session.flush()
    db.session.rollback()
    item = db.session.scalar(all_tenants(select(ContractItem).where(ContractItem.item_code == "IAAS-MEM")).limit(1))
    assert item.unit_price == Decimal("10.2000")


def test_service_refusal_names_who_and_what(signed, world):
    contract = signed["pudong:IAAS-VCPU"]
    actor = Actor.of(world["pudong.operator"])
    when = datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(contracts.PriceLocked):
        contracts.change_item(db.session, actor, contract["id"], contract["items"][1]["id"],
                              {"pricing_type": "tiered"}, now=when)
    [row] = db.session.scalars(all_tenants(select(ContractAudit))).all()
    assert (row.tenant_id, row.attempted_by, row.attempted["pricing_type"]) == ("pudong", "pudong.operator", "tiered")


def test_expired_licence_is_bought_centrally_not_renewed_by_the_district(api, signed, frozen):
    contract = signed["huangpu:SAAS-OS"]
    body = api.post("huangpu.operator", f"/contracts/{contract['id']}/renewals", {"item_code": "SAAS-OS"}, status=409)
    assert body["error"]["code"] == "licence_in_force"  # until 31 December 2026

    frozen.current = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)
    body = api.post("huangpu.operator", f"/contracts/{contract['id']}/renewals", {"item_code": "SAAS-OS"}, status=409)
    assert body["error"]["code"] == "central_purchase_required"
    assert "bdc" in body["error"]["fields"]["item_code"][0]
    assert [a["action"] for a in api.get("bdc", f"/contracts/{contract['id']}/audit")] == ["licence_renewal"]
    body = api.post("huangpu.operator", f"/contracts/{contract['id']}/renewals", {"item_code": "IAAS-VCPU"},
                    status=422)
    assert "item_code" in body["error"]["fields"]

    # bdc sees what to buy next: the expired licence, who holds it and their demand (huangpu 10, pudong none).
    [due] = api.get("bdc", "/licence-renewals")
    assert (due["item_code"], due["districts"], due["total_demand"], due["expired_on"]) == (
        "SAAS-OS", ["huangpu", "pudong"], "10.0000", "2026-12-31")
    api.get("huangpu.operator", "/licence-renewals", status=403)
