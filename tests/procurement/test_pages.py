"""The pages: solicitation list and detail (aggregation table, reply form with errors next to the
fields), contract list and detail (locked prices, licence rule, audit trail)."""
from __future__ import annotations

from tests.conftest import csrf_from
from tests.procurement.conftest import ISSUE
from tests.procurement.test_e2e_round import run_round


def test_district_replies_on_the_page_and_bdc_sees_the_totals(api, client, auth):
    sid = api.post("bdc", "/solicitations", ISSUE)["id"]
    auth.login("huangpu.authority")
    page = client.get(f"/procurement/solicitations/{sid}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="reply-form"' in html and "ZX-2026-001" in html
    token = csrf_from(html)
    bad = client.post(f"/procurement/solicitations/{sid}/reply", data={
        "csrf_token": token, "decision": "demand", "qty-IAAS-VCPU": "-3", "qty-IAAS-MEM": "64"})
    assert bad.status_code == 422
    assert 'data-testid="error-qty-IAAS-VCPU"' in bad.get_data(as_text=True)
    assert "The demand cannot be negative." in bad.get_data(as_text=True)
    done = client.post(f"/procurement/solicitations/{sid}/reply", data={
        "csrf_token": token, "decision": "demand", "qty-IAAS-VCPU": "120", "qty-IAAS-MEM": "480"})
    assert done.status_code == 303
    html = client.get(f"/procurement/solicitations/{sid}").get_data(as_text=True)
    assert 'data-testid="reply-form"' not in html  # answered
    auth.logout()

    auth.login("bdc1")
    html = client.get(f"/procurement/solicitations/{sid}").get_data(as_text=True)
    assert 'data-testid="total-IAAS-VCPU">120<' in html and 'data-testid="total-IAAS-MEM">480<' in html
    assert "徐汇区" in html and "浦东新区" in html
    assert "ZX-2026-001" in client.get("/procurement/solicitations").get_data(as_text=True)
    auth.logout()

    auth.login("xuhui.operator")  # addressed to xuhui; the operator reads it but cannot reply
    html = client.get(f"/procurement/solicitations/{sid}").get_data(as_text=True)
    assert 'data-testid="reply-form"' not in html and "黄浦区" not in html


def test_contract_pages_show_locked_prices_and_the_licence_rule(api, client, auth, frozen, world):
    run_round(api, frozen, world)
    [contract] = [c for c in api.get("huangpu.operator", "/contracts")["items"]
                  if c["items"][0]["item_code"] == "SAAS-OS"]
    item = contract["items"][0]
    api.call("huangpu.operator", "PATCH", f"/contracts/{contract['id']}/items/{item['id']}", {"unit_price": "1"},
             status=409)
    auth.login("huangpu.operator")
    listing = client.get("/procurement/contracts").get_data(as_text=True)
    assert contract["number"] in listing
    html = client.get(f"/procurement/contracts/{contract['id']}").get_data(as_text=True)
    assert "1200" in html and "软件商乙" in html
    assert "next purchase is made centrally by bdc" in html
    assert "huangpu.operator" in html and "unit_price=1" in html  # the refused attempt
    auth.logout()
    auth.login("xuhui.operator")
    assert client.get(f"/procurement/contracts/{contract['id']}").status_code == 404


def test_procurement_records_the_result_on_the_page(api, client, auth, frozen, world):
    from tests.procurement.conftest import fire_due
    from tests.procurement.test_e2e_round import shanghai

    sid = api.post("bdc", "/solicitations", {**ISSUE, "districts": ["xuhui"]})["id"]
    api.post("xuhui.authority", f"/solicitations/{sid}/replies", {"decision": "decline"})
    api.complete("bdc", "Task_Entrust", {"entrust": True})
    auth.login("cg1")
    html = client.get(f"/procurement/solicitations/{sid}").get_data(as_text=True)
    assert 'data-testid="result-form"' in html and "云服务商甲" in html
    a, b = str(world["vendor_a"].id), str(world["vendor_b"].id)
    form = {"csrf_token": csrf_from(html)}
    for code, vendor, price in (("IAAS-VCPU", a, "38.5"), ("IAAS-MEM", a, "10.2"), ("SAAS-OS", b, "1200")):
        form.update({f"vendor-{code}": vendor, f"price-{code}": price, f"standard-{code}": "标准",
                     f"starts-{code}": "2026-01-01", f"ends-{code}": "2026-12-31"})
    bad = client.post(f"/procurement/solicitations/{sid}/result", data={**form, "vendor-IAAS-MEM": "999999"})
    assert bad.status_code == 422 and 'data-testid="error-result-IAAS-MEM"' in bad.get_data(as_text=True)
    assert client.post(f"/procurement/solicitations/{sid}/result", data=form).status_code == 303
    assert api.get("bdc", f"/solicitations/{sid}")["status"] == "published"
    assert fire_due(frozen, shanghai(2025, 9, 30, 0, 0)) == 0  # xuhui answered: its timers were cancelled


def test_bdc_issues_a_solicitation_on_the_page(api, client, auth):
    auth.login("bdc1")
    html = client.get("/procurement/solicitations").get_data(as_text=True)
    assert 'data-testid="issue-form"' in html and "IAAS-VCPU" in html
    form = {"csrf_token": csrf_from(html), "title": "2026年度征询", "budget_year": "2026",
            "reply_deadline": "2025-12-01", "items": ["IAAS-VCPU", "SAAS-OS"], "districts": ["huangpu", "pudong"],
            "standard-IAAS-VCPU": "99.95%"}
    bad = client.post("/procurement/solicitations", data=form)
    assert bad.status_code == 422 and "reply_deadline" in bad.get_data(as_text=True)
    done = client.post("/procurement/solicitations", data={**form, "reply_deadline": "2025-09-26"})
    assert done.status_code == 303
    [found] = api.get("bdc", "/solicitations")["items"]
    assert [i["item_code"] for i in found["items"]] == ["IAAS-VCPU", "SAAS-OS"]
    assert found["items"][0]["service_standard"] == "99.95%"
    assert api.get("pudong.authority", "/solicitations")["total"] == 1
    assert api.get("xuhui.authority", "/solicitations")["total"] == 0
