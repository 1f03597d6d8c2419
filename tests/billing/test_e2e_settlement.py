"""The settlement process end to end through the API (M.27, P.3): bdc drafts → district finance
returns with a reason → bdc recomputes and redrafts → finance approves → eitc confirms (核定);
a confirmed statement refuses changes (409) and is corrected by a new statement referencing it."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.billing.models import CONFIRMED, ImmutableStatement, Statement
from app.extensions import db
from app.security import all_tenants
from tests.billing.conftest import resource, use
from tests.resources.conftest import Api, open_element_ids


@pytest.fixture()
def api(client, auth, world):
    return Api(client, auth, world)


def task_of(api, who, instance_id, element_id):
    items = api.get(who, "/tasks?scope=all&process_key=settlement")["items"]
    found = [t for t in items if t["instance_id"] == instance_id and t["element_id"] == element_id]
    assert found, (element_id, [t["element_id"] for t in items])
    return found[0]["id"]


def statements(api, who, **query):
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return api.get(who, f"/settlement-statements?{params}")["items"]


def test_draft_return_recompute_redraft_review_confirm_then_correct(api, world):
    vcpu = resource("huangpu", "IAAS-VCPU")
    use(vcpu, date(2025, 9, 1), 20, "1")  # 20 × 45 = 900.00; the collector missed the last 10 days
    resource("xuhui", "IAAS-VCPU")
    started = api.post("bdc", "/settlements", {"tenant": "huangpu", "period": "2025-09"})
    instance = started["instance_id"]
    assert started["business_key"] == "JS-huangpu-2025-09"
    api.call("bdc", "POST", "/settlements", {"tenant": "huangpu", "period": "2025-09"}, status=409)
    api.call("hp_finance", "POST", "/settlements", {"tenant": "huangpu", "period": "2025-10"}, status=403)
    [drafted] = statements(api, "hp_finance", period="2025-09")
    assert (drafted["status"], drafted["total"], drafted["instance_id"]) == ("reviewing", "900.00", instance)
    assert statements(api, "xh_finance") == []  # P.4(5): another district's bills are not listed
    api.call("xh_finance", "GET", f"/settlement-statements/{drafted['id']}", status=404)

    # District finance returns it: September's last ten days are missing.
    api.complete("hp_finance", task_of(api, "hp_finance", instance, "Task_FinanceReview"),
                 {"review_decision": "return", "review_comment": "9月21日至30日用量缺失"})
    returned = api.get("bdc", f"/settlement-statements/{drafted['id']}")
    assert (returned["status"], returned["return_reason"]) == ("returned", "9月21日至30日用量缺失")
    assert open_element_ids(instance) == ["Task_Redraft"]

    use(vcpu, date(2025, 9, 21), 10, "1")  # the late usage arrives: 30 × 45 = 1350.00
    recomputed = api.post("bdc", f"/settlement-statements/{drafted['id']}/recompute", status=200)["items"]
    assert [(s["status"], s["total"]) for s in recomputed] == [("returned", "1350.00")]
    assert len(statements(api, "bdc", tenant="huangpu", period="2025-09")) == 1  # replaced, not added
    api.complete("bdc", task_of(api, "bdc", instance, "Task_Redraft"), {"redraft_note": "已补齐用量"})
    [redrafted] = statements(api, "bdc", tenant="huangpu", period="2025-09")
    assert (redrafted["status"], redrafted["total"]) == ("reviewing", "1350.00")
    api.call("bdc", "POST", f"/settlement-statements/{redrafted['id']}/recompute", status=409)

    api.complete("hp_finance", task_of(api, "hp_finance", instance, "Task_FinanceReview"),
                 {"review_decision": "approve", "review_comment": "核对无误"})
    assert api.get("bdc", f"/settlement-statements/{redrafted['id']}")["status"] == "reviewed"
    api.complete("eitc", task_of(api, "eitc", instance, "Task_Confirm"),
                 {"confirm_decision": "confirm", "confirm_comment": "同意核定"})
    confirmed = api.get("hp_finance", f"/settlement-statements/{redrafted['id']}")
    assert (confirmed["status"], confirmed["confirmed_by"]) == ("confirmed", "eitc1")
    assert api.get("bdc", f"/process-instances/{instance}")["status"] == "completed"

    # Immutable: the API refuses, and so does the ORM for any other path.
    refused = api.call("bdc", "PATCH", f"/settlement-statements/{redrafted['id']}", {"note": "改"}, status=409)
    assert refused.get_json()["error"]["code"] == "statement_confirmed"
    api.call("bdc", "POST", "/settlements", {"tenant": "huangpu", "period": "2025-09"}, status=409)
    row = db.session.scalar(all_tenants(select(Statement).where(Statement.id == redrafted["id"])))
    row.total = Decimal("1.00")
    with pytest.raises(ImmutableStatement):
        db.session.flush()
    db.session.rollback()
    row.lines[0].amount = Decimal("1.00")
    with pytest.raises(ImmutableStatement):
        db.session.flush()
    db.session.rollback()

    # A correction: one day was counted twice upstream; the corrected usage gives a new statement.
    use(resource("huangpu", "IAAS-VCPU"), date(2025, 9, 30), 1, "2")  # +2 × 45 = 90.00
    correction = api.post("bdc", f"/settlement-statements/{redrafted['id']}/corrections")
    assert correction["business_key"] == f"JS-huangpu-2025-09-C{redrafted['id']}"
    new = [s for s in statements(api, "bdc", tenant="huangpu") if s["corrects_id"] == redrafted["id"]]
    assert [(s["total"], s["status"], s["number"]) for s in new] == [
        ("1440.00", "reviewing", f"JS202509-huangpu-V0-U0-C{redrafted['id']}.1")]
    assert api.get("bdc", f"/settlement-statements/{redrafted['id']}")["total"] == "1350.00"  # untouched
    api.complete("hp_finance", task_of(api, "hp_finance", correction["instance_id"], "Task_FinanceReview"),
                 {"review_decision": "approve", "review_comment": "同意"})
    api.complete("eitc", task_of(api, "eitc", correction["instance_id"], "Task_Confirm"),
                 {"confirm_decision": "return", "confirm_comment": "请附说明"})
    assert api.get("bdc", f"/settlement-statements/{new[0]['id']}")["return_reason"] == "请附说明"


def test_city_statements_go_straight_to_eitc(api, world):
    from tests import builders

    city_unit = builders.organisation(kind="city_unit", tenant="city", code="city.edu", name="市教委")
    use(resource("city", "IAAS-VCPU", org=city_unit), date(2025, 9, 1), 2, "1")
    instance = api.post("bdc", "/settlements", {"tenant": "city", "period": "2025-09"})["instance_id"]
    assert open_element_ids(instance) == ["Task_Confirm"]
    api.complete("eitc", task_of(api, "eitc", instance, "Task_Confirm"),
                 {"confirm_decision": "confirm", "confirm_comment": "同意"})
    assert [s["status"] for s in statements(api, "eitc", tenant="city")] == [CONFIRMED]


def test_excel_export_has_a_summary_and_a_sheet_per_district(api, world, client):
    use(resource("huangpu", "IAAS-VCPU"), date(2025, 9, 1), 30, "3")  # 4050.00
    use(resource("xuhui", "IAAS-DISK"), date(2025, 9, 1), 1, "1234.5678")  # 987.65
    for tenant in ("huangpu", "xuhui"):
        api.post("bdc", "/settlements", {"tenant": tenant, "period": "2025-09"})
    response = client.get("/api/v1/settlement-exports?period=2025-09", headers=api.headers("eitc"))
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["汇总", "黄浦区", "徐汇区"]
    summary = [list(row) for row in book["汇总"].iter_rows(min_row=2, values_only=True)]
    assert summary == [["黄浦区", 1, 4050, 4050, 0], ["徐汇区", 1, 987.65, 987.65, 0], ["合计", 2, 5037.65, 5037.65, 0]]
    assert book["汇总"]["C2"].number_format == "#,##0.00" and book["汇总"]["C2"].data_type == "n"
    sheet = book["徐汇区"]
    header = [c.value for c in sheet[1]]
    line = dict(zip(header, [c for c in sheet[2]], strict=True))
    assert (line["服务事项"].value, line["用量"].value, line["单价（元）"].value) == ("IAAS-DISK", 1234.5678, 0.8)
    assert line["金额（元）"].value == 987.65 and line["金额（元）"].number_format == "#,##0.00"
    assert line["价格来源"].value == "catalogue" and line["依据"].value.startswith("V1")
    # A district sees only its own sheet.
    own = load_workbook(io.BytesIO(client.get("/api/v1/settlement-exports?period=2025-09",
                                              headers=api.headers("hp_finance")).data))
    assert own.sheetnames == ["汇总", "黄浦区"]


def test_the_monthly_job_drafts_last_month_once(world, frozen):
    import logging
    from datetime import UTC, datetime

    from app.billing import jobs
    from app.jobs.registry import JobContext

    use(resource("huangpu", "IAAS-VCPU"), date(2025, 9, 1), 30, "1")
    use(resource("xuhui", "IAAS-VCPU"), date(2025, 9, 1), 30, "1")
    use(resource("pudong", "IAAS-VCPU"), date(2025, 10, 1), 1, "1")  # October: not yet
    ctx = JobContext(db.session, datetime(2025, 10, 3, 2, 0, tzinfo=UTC), logging.getLogger("test"))
    assert jobs.monthly_draft(ctx) == "2 settlement(s) started for 2025-09"
    db.session.commit()
    assert jobs.monthly_draft(ctx) == "0 settlement(s) started for 2025-09"
    drafted = db.session.scalars(all_tenants(select(Statement.tenant_id))).all()
    assert sorted(drafted) == ["huangpu", "xuhui"]


def test_true_up_through_the_process_and_dr_marks_through_the_api(api, world):
    hp, xh = resource("huangpu", "OSS"), resource("xuhui", "OSS")
    use(hp, date(2025, 3, 1), 1, "300")
    use(xh, date(2025, 4, 1), 1, "317")
    api.call("bdc", "POST", "/settlements", {"tenant": "huangpu", "period": "2025-03", "kind": "true_up"}, status=422)
    started = api.post("bdc", "/settlements", {"tenant": "huangpu", "period": "2025", "kind": "true_up"})
    assert started["business_key"] == "JS-huangpu-2025-Y"
    [statement] = statements(api, "bdc", tenant="huangpu", kind="true_up")
    # Q = 617 → C = 49,020.00 (see test_settlement); huangpu 300/617 of it = 23,834.68 against 30,000.00 charged.
    assert (statement["period"], statement["total"]) == ("2025", "-6165.32")

    disk = resource("huangpu", "IAAS-DISK")
    assert api.put("bdc", f"/dr-fundings/{disk.id}", {"funding": "shared"}) == {"allocation_id": disk.id,
                                                                                 "funding": "shared"}
    api.call("bdc", "PUT", f"/dr-fundings/{disk.id}", {"funding": "half"}, status=422)
    api.call("hp_finance", "PUT", f"/dr-fundings/{disk.id}", {"funding": "exclusive"}, status=403)
    assert api.put("bdc", f"/dr-fundings/{disk.id}", {"funding": None})["funding"] is None
