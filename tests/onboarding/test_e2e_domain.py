"""M.11 end to end: the unit's plan (attachments) → authority and eitc in parallel; either returns it →
the unit revises (or withdraws) → both approve → the domain, with its responsibility split, holds resources."""
from __future__ import annotations

from tests.resources.conftest import approved_project, open_allocation, open_element_ids

REVIEWS = ["Task_AuthorityReview", "Task_EitcReview"]


def plan(flow, **changes) -> dict:
    return {"name": "卫健专有域", "plan_summary": "医疗数据专有域建设管理方案",
            "plan_attachments": [flow.upload("unit", "方案.pdf")], "unit_duties": "业务系统与数据安全",
            "bdc_duties": "专有域资源纳管与监测", "vendor_duties": "基础设施建设与运维", **changes}


def test_returned_by_one_reviewer_revised_then_approved_by_both(flow, world):
    foreign = flow.upload("hp_unit", "theirs.pdf")
    refused = flow.post("unit", "/dedicated-domains", plan(flow, plan_attachments=[foreign]), status=422)
    assert refused["error"]["fields"] == {"plan_attachments": [f"No such attachment: {foreign}."]}
    assert "plan_attachments" in flow.post("unit", "/dedicated-domains", plan(flow, plan_attachments=[]),
                                           status=422)["error"]["fields"]
    flow.post("bdc", "/dedicated-domains", plan(flow), status=403)  # the using unit submits

    domain = flow.post("unit", "/dedicated-domains", plan(flow))
    instance = domain["instance_id"]
    assert (domain["status"], domain["number"][:8], domain["rounds"]) == ("reviewing", "ZY-2025-", 1)
    assert open_element_ids(instance) == REVIEWS  # in parallel

    # Returning needs the changes asked for; the authority returns, eitc approves: back to the unit.
    assert flow.complete("authority", instance, "Task_AuthorityReview", {"authority_decision": "return"},
                         status=422)["error"]["fields"] == {"authority_comment": ["Say what must change."]}
    flow.complete("authority", instance, "Task_AuthorityReview",
                  {"authority_decision": "return", "authority_comment": "补充灾备方案"})
    assert open_element_ids(instance) == ["Task_EitcReview"]  # both must decide
    flow.complete("eitc", instance, "Task_EitcReview", {"eitc_decision": "approve"})
    returned = flow.get("unit", f"/dedicated-domains/{domain['id']}")
    assert (returned["status"], returned["review_note"]) == ("returned", "主管部门：补充灾备方案")
    assert open_element_ids(instance) == ["Task_RevisePlan"]

    # The unit revises: a new document and a changed split; both review again.
    revised = flow.upload("unit", "方案-修订.pdf")
    assert flow.complete("unit", instance, "Task_RevisePlan", {"revise_decision": "resubmit", "plan_summary": "含灾备",
                                                               "plan_attachments": "", "unit_duties": "x",
                                                               "bdc_duties": "y", "vendor_duties": "z"},
                         status=422)["error"]["fields"]["plan_attachments"]
    flow.complete("unit", instance, "Task_RevisePlan", {
        "revise_decision": "resubmit", "plan_summary": "含同城灾备", "plan_attachments": f"{revised}",
        "unit_duties": "业务系统、数据安全与灾备演练", "bdc_duties": "专有域资源纳管与监测",
        "vendor_duties": "建设与运维"})
    assert open_element_ids(instance) == REVIEWS
    assert flow.variables("eitc", instance, "Task_EitcReview").get("eitc_decision") is None  # decides afresh
    flow.complete("eitc", instance, "Task_EitcReview", {"eitc_decision": "approve", "eitc_comment": "同意"})
    flow.complete("authority", instance, "Task_AuthorityReview", {"authority_decision": "approve"})

    approved = flow.get("unit", f"/dedicated-domains/{domain['id']}")
    assert (approved["status"], approved["rounds"], approved["plan_attachment_ids"]) == ("approved", 2, [revised])
    assert (approved["plan_summary"], approved["unit_duties"]) == ("含同城灾备", "业务系统、数据安全与灾备演练")
    assert approved["approved_at"] and open_element_ids(instance) == []

    # Resources of the unit can be placed in it, once; others' cannot.
    project = approved_project(world["unit"])
    allocation = open_allocation(project, "IAAS-VCPU", "8")
    placed = flow.post("unit", f"/dedicated-domains/{domain['id']}/placements", {"allocation_id": allocation.id})
    assert placed["allocation_id"] == allocation.id
    flow.post("bdc", f"/dedicated-domains/{domain['id']}/placements", {"allocation_id": allocation.id}, status=409)
    theirs = open_allocation(approved_project(world["other_unit"]), "IAAS-VCPU", "2")
    flow.post("bdc", f"/dedicated-domains/{domain['id']}/placements", {"allocation_id": theirs.id}, status=422)
    flow.post("hp_unit", f"/dedicated-domains/{domain['id']}/placements", {"allocation_id": allocation.id},
              status=404)
    assert [p["allocation_id"] for p in flow.get("eitc", f"/dedicated-domains/{domain['id']}")["placements"]] == [
        allocation.id]


def test_both_return_and_the_unit_withdraws(flow, world):
    domain = flow.post("unit", "/dedicated-domains", plan(flow))
    instance = domain["instance_id"]
    flow.complete("eitc", instance, "Task_EitcReview", {"eitc_decision": "return", "eitc_comment": "明确密码应用"})
    flow.complete("authority", instance, "Task_AuthorityReview",
                  {"authority_decision": "return", "authority_comment": "明确责任边界"})
    assert flow.get("unit", f"/dedicated-domains/{domain['id']}")["review_note"] == \
        "经信委：明确密码应用；主管部门：明确责任边界"  # in the order they returned it
    flow.complete("unit", instance, "Task_RevisePlan", {"revise_decision": "withdraw"})
    assert flow.get("unit", f"/dedicated-domains/{domain['id']}")["status"] == "withdrawn"
    assert open_element_ids(instance) == []
    # A withdrawn domain takes no resources.
    allocation = open_allocation(approved_project(world["unit"]), "IAAS-VCPU", "8")
    flow.post("unit", f"/dedicated-domains/{domain['id']}/placements", {"allocation_id": allocation.id}, status=409)


def test_other_districts_and_units_do_not_see_a_domain(flow, world):
    domain = flow.post("unit", "/dedicated-domains", plan(flow))
    for who in ("hp_unit", "hp_operator", "other_unit"):
        flow.get(who, f"/dedicated-domains/{domain['id']}", status=404)
        assert flow.get(who, "/dedicated-domains") == []
    assert flow.get("xh_operator", f"/dedicated-domains/{domain['id']}")["name"] == "卫健专有域"
    assert flow.get("unit2", f"/dedicated-domains/{domain['id']}")["id"] == domain["id"]
