"""Bad issues and bad replies: 422 with the field and a reason; replies out of turn: 409."""
from __future__ import annotations

from tests.procurement.conftest import ISSUE, open_tasks


def issue(api) -> dict:
    return api.post("bdc", "/solicitations", ISSUE)


def test_negative_demand_and_unknown_item_are_refused_per_line(api):
    sid = issue(api)["id"]
    body = api.post("huangpu.authority", f"/solicitations/{sid}/replies", {"decision": "demand", "lines": [
        {"item_code": "IAAS-VCPU", "quantity": "-5"}, {"item_code": "PAAS-RDS", "quantity": "2"}]}, status=422)
    fields = body["error"]["fields"]
    assert fields["lines.0.quantity"] == ["The demand cannot be negative."]
    assert fields["lines.1.item_code"] == ["Not an item of this solicitation."]
    body = api.post("huangpu.authority", f"/solicitations/{sid}/replies",
                    {"decision": "demand", "lines": [{"item_code": "IAAS-VCPU", "quantity": "abc"}]}, status=422)
    assert "lines.0.quantity" in body["error"]["fields"]
    body = api.post("huangpu.authority", f"/solicitations/{sid}/replies",
                    {"decision": "demand", "lines": [{"item_code": "IAAS-VCPU", "quantity": "0"}]}, status=422)
    assert "lines" in body["error"]["fields"]
    body = api.post("huangpu.authority", f"/solicitations/{sid}/replies", {"decision": "maybe"}, status=422)
    assert "decision" in body["error"]["fields"]
    # Nothing was recorded: the reply task still waits, the district can still answer.
    assert ("Task_Reply", "huangpu") in open_tasks(issue_id_instance(api, sid))
    api.post("huangpu.authority", f"/solicitations/{sid}/replies", {"decision": "decline"})
    body = api.post("huangpu.authority", f"/solicitations/{sid}/replies", {"decision": "decline"}, status=409)
    assert body["error"]["code"] == "reply_closed"


def issue_id_instance(api, sid: int) -> int:
    return api.get("bdc", f"/solicitations/{sid}")["instance_id"]


def test_only_the_district_authority_replies(api):
    sid = issue(api)["id"]
    api.post("huangpu.operator", f"/solicitations/{sid}/replies", {"decision": "decline"}, status=403)
    api.post("bdc", f"/solicitations/{sid}/replies", {"decision": "decline"}, status=403)


def test_issue_checks_catalogue_and_budget_calendar(api):
    body = api.post("bdc", "/solicitations", {**ISSUE, "reply_deadline": "2025-11-14"}, status=422)
    assert "budget proposals" in body["error"]["fields"]["reply_deadline"][0]  # after 31 October 2025
    body = api.post("bdc", "/solicitations", {**ISSUE, "items": [
        {"item_code": "IAAS-VCPU", "estimated_unit_price": "-1"}]}, status=422)
    assert "items.0.estimated_unit_price" in body["error"]["fields"]
    body = api.post("bdc", "/solicitations", {**ISSUE, "reply_deadline": "2025-09-03"}, status=422)
    assert "at least 5 working days" in body["error"]["fields"]["reply_deadline"][0]
    body = api.post("bdc", "/solicitations", {**ISSUE, "reply_deadline": "2025-09-20"}, status=422)
    assert body["error"]["fields"]["reply_deadline"] == ["The deadline must be a working day."]
    body = api.post("bdc", "/solicitations", {**ISSUE, "items": [{"item_code": "NOPE"}]}, status=422)
    assert body["error"]["fields"] == {"items.0.item_code": ["Not an item of the catalogue in force."]}
    api.post("huangpu.authority", "/solicitations", ISSUE, status=403)


def test_result_needs_a_vendor_for_every_item(api, world):
    sid = issue(api)["id"]
    body = api.put("procurement", f"/solicitations/{sid}/result", {"lines": []}, status=409)
    assert body["error"]["code"] == "not_entrusted"


def test_lists_are_paginated_and_districts_see_rounds_addressed_to_them(api):
    for _ in range(3):
        issue(api)
    api.post("bdc", "/solicitations", {**ISSUE, "districts": ["xuhui"]})
    page = api.get("bdc", "/solicitations?per_page=2&page=2")
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (4, 2, 2, 2)
    assert api.get("huangpu.authority", "/solicitations")["total"] == 3
    assert api.get("xuhui.authority", "/solicitations")["total"] == 4
    assert api.get("bdc", "/solicitations")["items"][0]["number"] == "ZX-2026-004"
