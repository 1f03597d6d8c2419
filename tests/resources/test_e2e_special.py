"""Process 5 end to end through the API (M.21–M.24, M.26): development, emergency and temporary
resources — approval, configuration, the advance expiry notice, extensions (exactly 15 working
days before expiry accepted, 14 refused), the backup reminder and the reclaim at expiry."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.resources.conftest import approved_project, fire, open_element_ids, pending_timer


def special(api, who, project_id, kind, quantity, expires_on, status=201, **extra):
    return api.post(who, f"/projects/{project_id}/special-resources", {
        "kind": kind, "lines": [{"item_code": "IAAS-VCPU", "quantity": quantity}], "expires_on": expires_on,
        "reason": "专项保障", **extra}, status=status)


def approve_and_configure(api, application, *, eitc=True):
    if eitc:
        api.do("eitc", application["id"], "Task_EitcReview", {"eitc_decision": "approve", "eitc_comment": "同意"})
    api.do("bdc", application["id"], "Task_Configure", {"configure_decision": "approve"})
    return api.get("unit" if application["tenant"] == "xuhui" else "city_unit",
                   f"/resources?project_id={application['project_id']}&kind={application['kind']}")


def test_temporary_and_emergency_with_extension_notice_backup_and_reclaim(api, frozen):
    # M.24: a project not yet approved but on the annual key-work list; its quota is still with eitc.
    project = api.post("unit", "/projects", {"name": "进博会保障平台", "mlps_level": 3, "key_work": True,
                                             "quotas": [{"item_code": "IAAS-VCPU", "quantity": "64"}]})
    project_id = project["project_id"]
    temporary = special(api, "unit", project_id, "temporary", "32", "2025-10-20")
    emergency = special(api, "unit", project_id, "emergency", "8", "2025-10-17")
    assert (temporary["basis"], temporary["number"][:3]) == ("年度重点工作", "TP-")

    # M.24: eitc sets the temporary quota, then approves; bdc configures.
    line = temporary["lines"][0]
    api.call("bdc", "PUT", f"/resource-applications/{temporary['id']}/quota",
             {"lines": [{"line_id": line["id"], "quantity": "16"}]}, status=403)
    api.put("eitc", f"/resource-applications/{temporary['id']}/quota", {"lines": [{"line_id": line["id"],
                                                                                    "quantity": "16"}]})
    [held] = approve_and_configure(api, temporary)
    [urgent] = approve_and_configure(api, emergency)
    assert (held["quantity"], held["state"], held["starts_on"], held["expires_on"]) == (
        "16.0000", "open", "2025-09-22", "2025-10-20")
    # M.21: the advance notice (20 WD before expiry) was already due: given at once.
    assert [h["kind"] for h in api.get("unit", f"/resources/{held['id']}")["history"]] == [
        "requested", "opened", "expiry_notice"]

    # M.23, M.24: on Tuesday 23 September, 20 October is exactly 15 working days away (28 Sep and
    # 11 Oct are makeup workdays, 1–8 Oct holidays); 17 October only 14.
    frozen.current = datetime(2025, 9, 23, 2, 0, tzinfo=UTC)
    refused = api.post("unit", f"/resources/{urgent['id']}/extensions", {"expires_on": "2025-11-14"}, status=422)
    assert refused["error"]["code"] == "rule_m23_lead"
    assert refused["error"]["message"] in (
        "需要延期的，使用单位应当至少提前十五个工作日提交申请（第二十三条、第二十四条）",
        "An extension must be requested at least 15 working days before expiry (Articles 23 and 24).")
    extension = api.post("unit2", f"/resources/{held['id']}/extensions",
                         {"expires_on": "2025-12-31", "reason": "保障期顺延"})
    api.post("unit", f"/resources/{held['id']}/extensions", {"expires_on": "2026-01-31"}, status=409)
    api.call("hp_unit", "POST", f"/resources/{held['id']}/extensions", {"expires_on": "2026-01-31"}, status=404)

    # Sent to eitc and the authority; both agree.
    steps = api.get("eitc", f"/resource-applications/{extension['id']}")["open_steps"]
    assert [s["element_id"] for s in steps] == ["Task_ExtensionEitc"]
    assert api.get("eitc", f"/resource-applications/{temporary['id']}")["open_steps"] == []
    api.do("eitc", extension["id"], "Task_ExtensionEitc", {"eitc_extension": "approve"})
    api.do("authority", extension["id"], "Task_ExtensionAuthority", {"authority_extension": "approve"})
    resource = api.get("unit", f"/resources/{held['id']}")
    assert resource["expires_on"] == "2025-12-31"
    assert resource["history"][-1]["kind"] == "extended" and resource["history"][-1]["expires_before"] == "2025-10-20"
    assert api.get("unit", f"/resource-applications/{extension['id']}")["status"] == "done"

    # The timers follow the new expiry: notice 20 WD before (3 Dec), backup reminder 5 WD before
    # (24 Dec), reclaim at 24:00 on 31 December.
    instance_id = temporary["instance_id"]
    assert pending_timer(instance_id, "Event_NoticeDue").due_at == datetime(2025, 12, 3, 1, 0, tzinfo=UTC)
    fire(frozen, instance_id, "Event_NoticeDue")
    assert pending_timer(instance_id, "Event_BackupDue").due_at == datetime(2025, 12, 24, 1, 0, tzinfo=UTC)
    fire(frozen, instance_id, "Event_BackupDue")
    assert pending_timer(instance_id, "Event_Expired").due_at == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)
    fire(frozen, instance_id, "Event_Expired")
    assert api.get("unit", f"/resources/{held['id']}")["state"] == "reclaiming"
    api.do("bdc", temporary["id"], "Task_ReclaimExpired", {"reclaimed": True})

    resource = api.get("unit", f"/resources/{held['id']}")
    assert resource["state"] == "reclaimed"
    assert [h["kind"] for h in resource["history"]] == [
        "requested", "opened", "expiry_notice", "extension_requested", "extended", "expiry_notice",
        "backup_reminder", "expired", "reclaimed"]
    assert api.get("unit", f"/resource-applications/{temporary['id']}")["status"] == "done"
    assert open_element_ids(instance_id) == []


def test_refused_extension_keeps_the_expiry(api, frozen):
    project = approved_project(api.world["unit"])
    emergency = special(api, "unit", project.id, "emergency", "4", "2025-12-19")
    [held] = approve_and_configure(api, emergency)
    extension = api.post("unit", f"/resources/{held['id']}/extensions", {"expires_on": "2026-01-16"})
    api.do("eitc", extension["id"], "Task_ExtensionEitc", {"eitc_extension": "approve"})
    api.do("authority", extension["id"], "Task_ExtensionAuthority",
           {"authority_extension": "reject", "authority_extension_comment": "请重新申请"})
    assert api.get("unit", f"/resources/{held['id']}")["expires_on"] == "2025-12-19"
    detail = api.get("unit", f"/resource-applications/{extension['id']}")
    assert (detail["status"], detail["decision_note"]) == ("rejected", "请重新申请")
    # The resource's process waits for its expiry again and takes a new request, decided afresh.
    assert pending_timer(emergency["instance_id"], "Event_NoticeDue")
    again = api.post("unit", f"/resources/{held['id']}/extensions", {"expires_on": "2026-01-09"})
    api.do("eitc", again["id"], "Task_ExtensionEitc", {"eitc_extension": "approve"})
    api.do("authority", again["id"], "Task_ExtensionAuthority", {"authority_extension": "approve"})
    assert api.get("unit", f"/resources/{held['id']}")["expires_on"] == "2026-01-09"
    # eitc alone may refuse: the authority is not asked.
    third = api.post("unit", f"/resources/{held['id']}/extensions", {"expires_on": "2026-02-27"})
    api.do("eitc", third["id"], "Task_ExtensionEitc",
           {"eitc_extension": "reject", "eitc_extension_comment": "不予延期"})
    assert api.get("unit", f"/resource-applications/{third['id']}")["status"] == "rejected"
    assert api.get("unit", f"/resources/{held['id']}")["expires_on"] == "2026-01-09"


def test_development_up_to_15_percent_never_extended_reclaimed_at_expiry(api, frozen):
    project = approved_project(api.world["city_unit"])  # vCPU quota 100
    refused = special(api, "city_unit", project.id, "development", "15.0001", "2025-12-22", status=422)
    assert refused["error"]["code"] == "rule_m22_share"
    assert refused["error"]["message"] in ("开发资源不得超过项目配额的15%（第二十二条）",
                                           "Development resources may not exceed 15 percent of the project quota "
                                           "(Article 22).")
    outside = special(api, "city_unit", project.id, "development", "1", "2025-12-22", status=422,
                      external_access=True)
    assert outside["error"]["code"] == "rule_m22_external"
    late = special(api, "city_unit", project.id, "development", "1", "2025-12-23", status=422)
    assert late["error"]["code"] == "rule_m22_term"

    development = special(api, "city_unit", project.id, "development", "15", "2025-12-22")
    assert open_element_ids(development["instance_id"]) == ["Task_Configure"]  # bdc, no eitc step
    [held] = approve_and_configure(api, development, eitc=False)
    assert (held["state"], held["external_access"]) == ("open", False)
    usage = api.get("city_unit", f"/projects/{project.id}")["usage"][0]
    assert (usage["development"], usage["development_limit"]) == ("15.0000", "15.0000")

    no = api.post("city_unit", f"/resources/{held['id']}/extensions", {"expires_on": "2026-01-31"}, status=422)
    assert no["error"]["code"] == "rule_m22_no_extension"

    instance_id = development["instance_id"]
    for timer in ("Event_NoticeDue", "Event_BackupDue", "Event_Expired"):
        fire(frozen, instance_id, timer)
    api.do("bdc", development["id"], "Task_ReclaimExpired", {"reclaimed": True})
    assert api.get("city_unit", f"/resources/{held['id']}")["state"] == "reclaimed"
    # Only city roles and the owner see a city project.
    api.call("unit", "GET", f"/resources/{held['id']}", status=404)
    api.call("hp_operator", "GET", f"/projects/{project.id}", status=404)


def test_eitc_refuses_emergency_resources(api, frozen):
    project = approved_project(api.world["unit"])
    emergency = special(api, "unit", project.id, "emergency", "4", "2025-12-19")
    api.do("eitc", emergency["id"], "Task_EitcReview", {"eitc_decision": "reject", "eitc_comment": "不属于应急"})
    detail = api.get("unit", f"/resource-applications/{emergency['id']}")
    assert (detail["status"], detail["decision_note"]) == ("rejected", "不属于应急")
    assert {r["state"] for r in api.get("unit", f"/resources?project_id={project.id}&kind=emergency")} == {
        "rejected"}


def test_resource_returned_early_leaves_nothing_to_reclaim_at_expiry(api, frozen):
    project = approved_project(api.world["unit"])
    emergency = special(api, "unit", project.id, "emergency", "4", "2025-12-19")
    [held] = approve_and_configure(api, emergency)
    returned = api.post("unit", f"/projects/{project.id}/reclaims", {"allocation_ids": [held["id"]]})
    api.do("unit", returned["id"], "Task_ConfirmMigration", {"backup_confirmed": True})
    api.do("bdc", returned["id"], "Task_Reclaim", {"reclaim_decision": "reclaim"})
    for timer in ("Event_NoticeDue", "Event_BackupDue", "Event_Expired"):
        fire(frozen, emergency["instance_id"], timer)
    assert open_element_ids(emergency["instance_id"]) == []  # no pointless task for bdc
    assert api.get("unit", f"/resource-applications/{emergency['id']}")["status"] == "done"
    kinds = [h["kind"] for h in api.get("unit", f"/resources/{held['id']}")["history"]]
    assert kinds == ["requested", "opened", "reclaim_requested", "reclaimed"]
