"""The 统采分签 round end to end through the API and the real engine (P.4(1)–(4)): three districts —
huangpu replies with demand (filed by its finance), xuhui declines, pudong misses the deadline (a
reminder, then "no reply") — bdc entrusts procurement, the result is published, huangpu and pudong
opt in and sign, xuhui stays out; the contracts carry the published prices."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from app.extensions import db
from app.procurement.service import prices_in_force
from app.security import all_tenants
from app.workflow.models import ProcessInstance
from tests.procurement.conftest import ISSUE, fire_due, open_tasks

RESULT = [
    {"item_code": "IAAS-VCPU", "unit_price": "38.50", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
     "service_standard": "可用性 99.95%，故障 2 小时内响应"},
    {"item_code": "IAAS-MEM", "unit_price": "10.20", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
    {"item_code": "SAAS-OS", "unit_price": "1200", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
]


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def result_lines(world) -> list[dict]:
    vendors = {"IAAS-VCPU": world["vendor_a"].id, "IAAS-MEM": world["vendor_a"].id, "SAAS-OS": world["vendor_b"].id}
    return [{**line, "vendor_id": vendors[line["item_code"]]} for line in RESULT]


def run_round(api, frozen, world) -> dict:
    """The whole round; returns the solicitation as bdc finally sees it."""
    issued = api.post("bdc", "/solicitations", ISSUE)
    sid, instance_id = issued["id"], issued["instance_id"]
    # One reply task per district, each in its own district's tenant (the ``tenant`` property).
    assert open_tasks(instance_id) == [("Task_Reply", "huangpu"), ("Task_Reply", "pudong"), ("Task_Reply", "xuhui")]
    [mine] = api.tasks("huangpu.authority", "Task_Reply")
    assert mine["due_at"] == "2025-09-19T16:00:00+00:00"  # 24:00 of the deadline day in Shanghai

    api.post("huangpu.authority", f"/solicitations/{sid}/replies", {"decision": "demand", "note": "三家委办", "lines": [
        {"item_code": "IAAS-VCPU", "quantity": "200"}, {"item_code": "IAAS-MEM", "quantity": "800"},
        {"item_code": "SAAS-OS", "quantity": "10"}]})
    api.post("xuhui.authority", f"/solicitations/{sid}/replies", {"decision": "decline", "note": "自建区级云"})
    # P.4(2): the demand goes to the district's finance for filing (备案), in the district's inbox.
    assert open_tasks(instance_id) == [("Task_File", "huangpu"), ("Task_Reply", "pudong")]
    api.complete("huangpu.finance", "Task_File", {"filed": True, "filing_note": "纳入2026年预算"})

    # pudong is silent: a reminder three working days before (Tuesday 16 September, 09:00), then the deadline.
    assert fire_due(frozen, shanghai(2025, 9, 16, 1, 0)) == 1
    assert open_tasks(instance_id) == [("Task_Reply", "pudong")]
    assert fire_due(frozen, shanghai(2025, 9, 19, 16, 0)) == 1  # Saturday 00:00 in Shanghai
    assert open_tasks(instance_id) == [("Task_Entrust", "city")]

    aggregation = api.get("bdc", f"/solicitations/{sid}/aggregation")
    assert aggregation["totals"] == {"IAAS-VCPU": "200.0000", "IAAS-MEM": "800.0000", "SAAS-OS": "10.0000"}
    assert {d["tenant"]: d["status"] for d in aggregation["districts"]} == {
        "huangpu": "demand", "xuhui": "declined", "pudong": "no_reply"}
    assert aggregation["counts"] == {"pending": 0, "demand": 1, "declined": 1, "no_reply": 1}
    replies = {r["tenant"]: r for r in api.get("bdc", f"/solicitations/{sid}/replies")}
    assert replies["pudong"]["reminded_at"] and replies["huangpu"]["filed_by"] == "huangpu.finance"

    api.complete("bdc", "Task_Entrust", {"entrust": True})
    assert api.get("bdc", f"/solicitations/{sid}")["status"] == "entrusted"
    frozen.current = shanghai(2025, 11, 20, 2, 0)
    published = api.put("procurement", f"/solicitations/{sid}/result", {"lines": result_lines(world)})
    assert published["status"] == "published"
    assert open_tasks(instance_id) == [("Task_OptIn", "huangpu"), ("Task_OptIn", "pudong"), ("Task_OptIn", "xuhui")]

    # P.4(4): each district decides; a district that missed the deadline may still opt in.
    api.complete("huangpu.authority", "Task_OptIn", {"opt_in": "yes"})
    api.complete("xuhui.authority", "Task_OptIn", {"opt_in": "no"})
    api.complete("pudong.authority", "Task_OptIn", {"opt_in": "yes"})
    assert open_tasks(instance_id) == [("Task_Sign", "huangpu"), ("Task_Sign", "pudong")]
    api.complete("huangpu.operator", "Task_Sign", {"accept_prices": True})
    api.complete("pudong.operator", "Task_Sign", {"accept_prices": True})
    return api.get("bdc", f"/solicitations/{sid}")


def test_full_round_three_districts_to_signed_contracts(api, frozen, world):
    final = run_round(api, frozen, world)
    assert final["status"] == "closed"
    db.session.expire_all()
    instance = db.session.scalar(all_tenants(ProcessInstance.__table__.select().where(
        ProcessInstance.id == final["instance_id"])).with_only_columns(ProcessInstance.status))
    assert instance == "completed"

    # Contracts at the published prices: one per vendor, for the two districts that opted in.
    everything = api.get("bdc", "/contracts?per_page=50")
    assert everything["total"] == 4
    prices = {(c["tenant"], i["item_code"]): (i["unit_price"], i["pricing_type"], c["vendor_id"])
              for c in everything["items"] for i in c["items"]}
    a, b = world["vendor_a"].id, world["vendor_b"].id
    for district in ("huangpu", "pudong"):
        assert prices[(district, "IAAS-VCPU")] == ("38.5000", "unit", a)
        assert prices[(district, "IAAS-MEM")] == ("10.2000", "unit", a)
        assert prices[(district, "SAAS-OS")] == ("1200.0000", "licence", b)
    licence = next(i for c in everything["items"] for i in c["items"] if i["item_code"] == "SAAS-OS")
    assert licence["licence_expires_on"] == "2026-12-31"

    # Each district sees its own contracts only, signed by its operator; xuhui has none.
    mine = api.get("huangpu.operator", "/contracts")
    assert mine["total"] == 2 and {c["tenant"] for c in mine["items"]} == {"huangpu"}
    assert {c["signed_by"] for c in mine["items"]} == {"huangpu.operator"}
    assert api.get("xuhui.operator", "/contracts")["total"] == 0
    other = mine["items"][0]["id"]
    api.get("pudong.operator", f"/contracts/{other}", status=404)

    # Settlement reads the locked prices in force (app.procurement.service.prices_in_force).
    in_force = prices_in_force(db.session, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert sorted((p.tenant_id, p.item_code, p.unit_price) for p in in_force) == [
        ("huangpu", "IAAS-MEM", Decimal("10.2000")), ("huangpu", "IAAS-VCPU", Decimal("38.5000")),
        ("huangpu", "SAAS-OS", Decimal("1200.0000")), ("pudong", "IAAS-MEM", Decimal("10.2000")),
        ("pudong", "IAAS-VCPU", Decimal("38.5000")), ("pudong", "SAAS-OS", Decimal("1200.0000"))]

    # The published round as each district sees it; the aggregation shows a district only its own row.
    rows = api.get("xuhui.authority", f"/solicitations/{final['id']}/aggregation")["districts"]
    assert [(r["tenant"], r["status"], r["opted_in"]) for r in rows] == [("xuhui", "declined", False)]
