"""Process 7 end to end through the API (M.15, M.16): bdc proposes → authority reviews → bdc compiles
→ authority and eitc approve → in force from its date; every version kept. A district keeps its own
catalogue the same way, with its own operator and authority."""
from __future__ import annotations

from sqlalchemy import select

from app.catalog.models import CatalogVersion
from app.extensions import db
from app.security import all_tenants
from tests.resources.conftest import open_element_ids

OSS = {"code": "OSS", "layer": "iaas", "name": "对象存储", "content": "标准存储，三副本", "pricing_unit": "TB·月",
       "unit_price": "100", "pricing_type": "tiered", "tier_mode": "graduated",
       "tiers": [{"lower_bound": "0", "unit_price": "100"}, {"lower_bound": "100", "unit_price": "80"}]}


def city_v1() -> CatalogVersion:
    return db.session.scalar(all_tenants(select(CatalogVersion).where(CatalogVersion.tenant_id == "city")))


def task_of(api, who, instance_id, element_id):
    items = api.get(who, "/tasks?scope=all&process_key=catalogue_compilation")["items"]
    found = [t for t in items if t["instance_id"] == instance_id and t["element_id"] == element_id]
    assert found, (element_id, [t["element_id"] for t in items])
    return found[0]["id"]


def test_city_adjustment_reviewed_compiled_returned_approved_and_in_force(api, frozen):
    v1 = city_v1()
    proposed = api.post("bdc", "/catalog-versions", {"title": "2025年第四季度调整", "effective_from": "2025-10-09",
                                                      "based_on_id": v1.id})
    instance = proposed["instance_id"]
    assert (proposed["tenant"], proposed["number"], proposed["status"]) == ("city", 2, "proposed")
    assert [i["code"] for i in proposed["items"]] == ["IAAS-VCPU", "IAAS-MEM", "IAAS-DISK", "PAAS-RDS"]
    api.call("unit", "POST", "/catalog-versions", {"title": "x", "effective_from": "2025-10-09"}, status=403)

    api.complete("authority", task_of(api, "authority", instance, "Task_CityReview"), {"review_decision": "approve"})
    items = [dict(i, unit_price="42") if i["code"] == "IAAS-VCPU" else i for i in proposed["items"]]
    items = [{k: v for k, v in i.items() if k != "id"} for i in items]
    bad = api.put("bdc", f"/catalog-versions/{proposed['id']}/items",
                  {"items": [*items, dict(OSS, tiers=[{"lower_bound": "10", "unit_price": "1"}])]}, status=422)
    assert "items.4" in bad["error"]["fields"]
    compiled = api.put("bdc", f"/catalog-versions/{proposed['id']}/items", {"items": [*items, OSS]})
    assert compiled["status"] == "compiling" and compiled["items"][-1]["tiers"][1]["unit_price"] == "80.0000"
    api.complete("bdc", task_of(api, "bdc", instance, "Task_CityCompile"), {"compiled": True})
    assert open_element_ids(instance) == ["Task_ApproveAuthority"]

    # The authority approves, eitc sends it back: bdc compiles again, both approve afresh.
    api.complete("authority", task_of(api, "authority", instance, "Task_ApproveAuthority"),
                 {"authority_decision": "approve"})
    api.complete("eitc", task_of(api, "eitc", instance, "Task_ApproveEitc"),
                 {"eitc_decision": "reject", "eitc_comment": "RDS价格偏高"})
    assert api.get("bdc", f"/catalog-versions/{proposed['id']}")["status"] == "compiling"
    api.complete("bdc", task_of(api, "bdc", instance, "Task_CityCompile"), {"compiled": True})
    api.complete("authority", task_of(api, "authority", instance, "Task_ApproveAuthority"),
                 {"authority_decision": "approve"})
    api.complete("eitc", task_of(api, "eitc", instance, "Task_ApproveEitc"), {"eitc_decision": "approve"})

    v2 = api.get("unit", f"/catalog-versions/{proposed['id']}")
    assert (v2["status"], v2["effective_from"]) == ("approved", "2025-10-09")
    before = api.get("hp_unit", "/catalog-items?on=2025-10-08")
    after = api.get("hp_unit", "/catalog-items?on=2025-10-09")
    assert (before["version"]["number"], before["items"][0]["unit_price"]) == (1, "45.0000")
    assert (after["version"]["number"], after["items"][0]["unit_price"]) == (2, "42.0000")
    assert [v["number"] for v in api.get("unit", "/catalog-versions")] == [2, 1]  # M.16: kept
    api.put("bdc", f"/catalog-versions/{proposed['id']}/items", {"items": items}, status=409)


def test_an_empty_catalogue_goes_back_to_the_operator(api, frozen):
    proposed = api.post("bdc", "/catalog-versions", {"title": "新目录", "effective_from": "2025-11-01", "items": []})
    instance = proposed["instance_id"]
    api.complete("authority", task_of(api, "authority", instance, "Task_CityReview"), {"review_decision": "approve"})
    api.complete("bdc", task_of(api, "bdc", instance, "Task_CityCompile"), {"compiled": True})
    assert open_element_ids(instance) == ["Task_CityCompile"]
    detail = api.get("bdc", f"/tasks/{task_of(api, 'bdc', instance, 'Task_CityCompile')}")
    assert detail["data"]["problems"] and detail["data"]["complete"] is False


def test_authority_rejects_the_proposal(api, frozen):
    proposed = api.post("bdc", "/catalog-versions", {"title": "新目录", "effective_from": "2025-11-01",
                                                      "based_on_id": city_v1().id})
    api.complete("authority", task_of(api, "authority", proposed["instance_id"], "Task_CityReview"),
                 {"review_decision": "reject", "review_comment": "不符合共性优先原则"})
    assert api.get("bdc", f"/catalog-versions/{proposed['id']}")["status"] == "rejected"


def test_district_keeps_its_own_catalogue_unseen_by_others(api, frozen):
    v1 = city_v1()
    api.call("xh_operator", "POST", "/catalog-versions", {"title": "x", "effective_from": "2025-10-09",
                                                          "tenant": "city"}, status=403)
    city_items = api.get("xh_operator", f"/catalog-versions/{v1.id}")["items"]
    proposed = api.post("xh_operator", "/catalog-versions", {
        "title": "徐汇区政务云服务目录", "effective_from": "2025-10-09",
        "items": [{k: v for k, v in i.items() if k != "id"} for i in city_items]})
    instance = proposed["instance_id"]
    assert (proposed["tenant"], proposed["number"]) == ("xuhui", 1)
    assert "Task_DistrictReview" not in str(api.get("authority", "/tasks?scope=candidate")["items"])
    api.complete("xh_authority", task_of(api, "xh_authority", instance, "Task_DistrictReview"),
                 {"review_decision": "approve"})
    # Another district sees none of it; bdc reads it but does not compile it.
    hidden = task_of(api, "xh_operator", instance, "Task_DistrictCompile")
    for who in ("hp_operator", "hp_unit"):
        api.call(who, "GET", f"/catalog-versions/{proposed['id']}", status=404)
        api.call(who, "GET", f"/tasks/{hidden}", status=404)
        assert all(v["tenant"] == "city" for v in api.get(who, "/catalog-versions"))
    api.call("hp_operator", "PUT", f"/catalog-versions/{proposed['id']}/items", {"items": []}, status=404)
    api.call("bdc", "PUT", f"/catalog-versions/{proposed['id']}/items", {"items": []}, status=403)
    api.complete("xh_operator", hidden, {"compiled": True})
    api.complete("xh_authority", task_of(api, "xh_authority", instance, "Task_DistrictApprove"),
                 {"district_decision": "approve"})
    assert api.get("unit", "/catalog-items?on=2025-10-09")["version"]["tenant"] == "xuhui"
    assert api.get("hp_unit", "/catalog-items?on=2025-10-09")["version"]["tenant"] == "city"
