"""M.7 end to end: an outside body applies through its supervising department → the department endorses →
bdc accepts (the body becomes an organisation of kind ``outside``, then applies like any unit) or refuses
with a reason; the department may also decline."""
from __future__ import annotations

from app.accounts import service as accounts_service
from app.accounts.models import Organisation
from app.extensions import db
from tests.resources.conftest import open_element_ids

BODY = {"body_name": "上海某国有企业", "body_code": "xuhui.soe1", "body_nature": "国有企业",
        "reason": "承担区卫健委委托的健康服务平台运营", "contact": "王经理 13900000000"}


def test_endorsed_and_accepted_then_handled_like_any_unit(flow, world, client, auth):
    document = flow.upload("unit", "营业执照.pdf")
    application = flow.post("unit", "/outside-applications", {**BODY, "attachments": [document]})
    instance = application["instance_id"]
    assert (application["status"], application["tenant"], application["supervisor_name"]) == (
        "pending", "xuhui", "徐汇区卫健委")

    # Only the supervising department endorses, not another unit of the district.
    flow.complete("other_unit", instance, "Task_Endorse", {"endorse_decision": "endorse"}, status=403)
    flow.complete("unit2", instance, "Task_Endorse", {"endorse_decision": "endorse", "endorse_comment": "同意"})

    # bdc gives a reason when it refuses; here it accepts.
    assert flow.complete("bdc", instance, "Task_BdcDecide", {"accept_decision": "refuse"}, status=422)[
        "error"]["fields"] == {"accept_comment": ["Give the reason."]}
    flow.complete("bdc", instance, "Task_BdcDecide", {"accept_decision": "accept", "accept_comment": "受理"})
    accepted = flow.get("unit", f"/outside-applications/{application['id']}")
    assert (accepted["status"], accepted["decided_by"]) == ("accepted", "bdc1") and open_element_ids(instance) == []

    body = db.session.get(Organisation, accepted["organisation_id"])
    supervisor = world["unit"].organisation
    assert (body.kind, body.parent_id, body.tenant_id, body.code, body.name) == (
        "outside", supervisor.id, "xuhui", "xuhui.soe1", "上海某国有企业")

    # Handled like any unit after that: its own user applies for a project quota.
    accounts_service.create_user(db.session, username="soe.user", password="correct-horse-battery",
                                 display_name="王经理", organisation=body, roles={"unit"})
    db.session.commit()
    headers = auth.headers("soe.user")
    created = client.post("/api/v1/projects", headers=headers, json={
        "name": "健康服务平台", "description": "运营", "mlps_level": 2,
        "quotas": [{"item_code": "IAAS-VCPU", "quantity": "8"}]})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["tenant"] == "xuhui"


def test_bdc_refuses_with_reason(flow, world):
    application = flow.post("unit", "/outside-applications", BODY)
    flow.complete("unit", application["instance_id"], "Task_Endorse", {"endorse_decision": "endorse"})
    flow.complete("bdc", application["instance_id"], "Task_BdcDecide",
                  {"accept_decision": "refuse", "accept_comment": "属于涉密系统，不宜使用政务云"})
    refused = flow.get("unit", f"/outside-applications/{application['id']}")
    assert (refused["status"], refused["decision_note"], refused["organisation_id"]) == (
        "refused", "属于涉密系统，不宜使用政务云", None)
    assert db.session.query(Organisation).filter_by(code="xuhui.soe1").count() == 0


def test_supervising_department_declines(flow, world):
    application = flow.post("unit", "/outside-applications", BODY)
    flow.complete("unit", application["instance_id"], "Task_Endorse",
                  {"endorse_decision": "decline", "endorse_comment": "非本部门业务"})
    declined = flow.get("unit", f"/outside-applications/{application['id']}")
    assert (declined["status"], declined["decision_note"]) == ("declined", "非本部门业务")
    assert open_element_ids(application["instance_id"]) == []


def test_rules_of_filing(flow, world):
    flow.post("bdc", "/outside-applications", BODY, status=403)  # a supervising department files it
    existing = {**BODY, "body_code": world["unit"].organisation.code}
    assert flow.post("unit", "/outside-applications", existing, status=409)["error"]["code"] == "organisation_exists"
    foreign = flow.upload("hp_unit")
    assert flow.post("unit", "/outside-applications", {**BODY, "attachments": [foreign]}, status=422)[
        "error"]["fields"] == {"attachments": [f"No such attachment: {foreign}."]}
    application = flow.post("unit", "/outside-applications", BODY)
    for who in ("hp_unit", "hp_operator", "other_unit"):
        flow.get(who, f"/outside-applications/{application['id']}", status=404)
    assert [a["id"] for a in flow.get("bdc", "/outside-applications")] == [application["id"]]
