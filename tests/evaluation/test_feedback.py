"""Vendor feedback (P.4(7)): who may rate whom, one rating per rater, vendor and quarter (rating again
replaces it), field errors, and who reads what (P.4(5))."""
from __future__ import annotations

from sqlalchemy import func, select

from app.evaluation.models import VendorFeedback
from app.extensions import db
from app.security import all_tenants


def count() -> int:
    return db.session.scalar(all_tenants(select(func.count()).select_from(VendorFeedback)))


def test_rating_again_replaces_the_earlier_rating(api, world):
    v1 = world["v1"].id
    first = api.post("xh_operator", "/vendor-feedback", {"vendor_id": v1, "period": "2025Q3", "rating": 3,
                                                         "comment": "一般"})
    assert (first["tenant"], first["rater"], first["vendor"], first["period_start"], first["period_end"]) == (
        "xuhui", "district_operator.xuhui", "云服务商甲", "2025-07-01", "2025-09-30")
    again = api.post("xh_operator", "/vendor-feedback", {"vendor_id": v1, "period": "2025Q3", "rating": 4}, status=200)
    assert (again["id"], again["rating"], again["comment"], count()) == (first["id"], 4, "", 1)
    # Another organisation of the same district rates on its own; another quarter is another rating.
    api.post("unit", "/vendor-feedback", {"vendor_id": v1, "period": "2025Q3", "rating": 5})
    api.post("xh_operator", "/vendor-feedback", {"vendor_id": v1, "period": "2025Q2", "rating": 5})
    assert count() == 3


def test_feedback_rules_answer_with_field_errors(api, world):
    v1, v2 = world["v1"].id, world["v2"].id

    def refused(body, field, status=422, who="xh_operator"):
        answer = api.post(who, "/vendor-feedback", body, status=status)
        assert field in answer["error"]["fields"], answer
        return answer["error"]["fields"][field]

    assert refused({"vendor_id": v2, "period": "2025Q3", "rating": 4}, "vendor_id") == [
        "This vendor had no contract with your district in that period."]
    assert refused({"vendor_id": world["xh_unit_org"].id, "period": "2025Q3", "rating": 4}, "vendor_id") == [
        "No such vendor."]
    refused({"vendor_id": v1, "period": "2025Q3", "rating": 6}, "rating")
    refused({"vendor_id": v1, "period": "2025Q3", "rating": 0}, "rating")
    refused({"vendor_id": v1, "period": "2025Q3", "rating": "5"}, "rating")  # strict integers
    assert refused({"vendor_id": v1, "period": "2025Q3", "rating": 1}, "comment") == [
        "Say what went wrong when rating 1 or 2."]
    assert api.post("xh_operator", "/vendor-feedback", {"vendor_id": v1, "period": "2025Q4", "rating": 4})  # begun
    refused({"vendor_id": v1, "period": "2026Q1", "rating": 4}, "period")  # not started yet
    refused({"vendor_id": v1, "period": "2025-3", "rating": 4}, "period")
    refused({"vendor_id": v1, "period": "2025Q3", "rating": 4, "comment": "x" * 2001}, "comment")
    # City roles and vendors do not rate (P.4(7): district feedback).
    for who in ("eitc", "vendor1"):
        api.post(who, "/vendor-feedback", {"vendor_id": v1, "period": "2025Q3", "rating": 4}, status=403)
    assert count() == 1


def test_each_reads_only_the_feedback_that_concerns_it(api, world):
    v1, v2 = world["v1"].id, world["v2"].id
    xh = api.post("xh_operator", "/vendor-feedback", {"vendor_id": v1, "period": "2025Q3", "rating": 4})
    mine = api.post("unit", "/vendor-feedback", {"vendor_id": v1, "period": "2025Q3", "rating": 5})
    hp = api.post("hp_operator", "/vendor-feedback", {"vendor_id": v2, "period": "2025Q3", "rating": 3})

    def ids(who, query=""):
        return sorted(f["id"] for f in api.get(who, f"/vendor-feedback{query}"))

    assert ids("xh_operator") == sorted([xh["id"], mine["id"]])  # the district's own
    assert ids("unit") == [mine["id"]]  # a unit: its own ratings
    assert ids("hp_operator") == [hp["id"]]
    assert ids("vendor1") == sorted([xh["id"], mine["id"]])  # about itself, from every district
    assert ids("vendor2") == [hp["id"]]
    assert ids("authority") == sorted([xh["id"], mine["id"], hp["id"]])
    assert ids("authority", f"?vendor_id={v2}&period=2025Q3") == [hp["id"]]
    api.get("hp_operator", f"/vendor-feedback/{xh['id']}", status=404)
    api.get("vendor2", f"/vendor-feedback/{xh['id']}", status=404)
    api.get("unit", f"/vendor-feedback/{xh['id']}", status=404)
    assert api.get("vendor1", f"/vendor-feedback/{xh['id']}")["rating"] == 4
