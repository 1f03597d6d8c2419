"""The resource and catalogue pages: what each role sees, forms posting with CSRF, refusals quoting the rule."""
from __future__ import annotations

from tests.conftest import csrf_from
from tests.resources.conftest import approved_project, open_allocation


def login(client, auth, user):
    response = auth.login(user.username)
    assert response.status_code == 302
    return client


def test_unit_sees_projects_with_quota_bars_and_resources_with_expiry(client, auth, world, frozen):
    project = approved_project(world["unit"])
    open_allocation(project, "IAAS-VCPU", "60")
    dev = open_allocation(project, "IAAS-MEM", "40", kind="emergency")
    login(client, auth, world["unit"])
    page = client.get("/resources/mine")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="usage-IAAS-VCPU"' in html and 'aria-valuenow="60"' in html
    assert dev.number in html and project.name in html
    detail = client.get(f"/resources/projects/{project.id}").get_data(as_text=True)
    assert 'data-testid="expand-form"' in detail and 'name="csrf_token"' in detail
    assert f'action="/resources/items/{dev.id}/extension"' in detail


def test_quota_application_through_the_page_and_a_refusal_quoting_article_18(client, auth, world, frozen):
    login(client, auth, world["unit"])
    form = client.get("/resources/projects/new").get_data(as_text=True)
    token = csrf_from(form)
    refused = client.post("/resources/projects/new", data={
        "csrf_token": token, "name": "涉密系统", "mlps_level": "4", "quota-0-item": "IAAS-VCPU",
        "quota-0-quantity": "8"})
    assert refused.status_code == 422
    assert "Article 18" in refused.get_data(as_text=True) or "第十八条" in refused.get_data(as_text=True)
    done = client.post("/resources/projects/new", data={
        "csrf_token": token, "name": "公共卫生平台", "mlps_level": "3", "quota-0-item": "IAAS-VCPU",
        "quota-0-quantity": "8", "quota-1-item": "IAAS-MEM", "quota-1-quantity": "32"})
    assert done.status_code == 303
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "公共卫生平台" in page and "PQ-2025-" in page


def test_forms_without_csrf_are_refused(client, auth, world, frozen):
    project = approved_project(world["unit"])
    login(client, auth, world["unit"])
    response = client.post(f"/resources/projects/{project.id}/reclaims", data={"allocation": "1"})
    assert response.status_code == 400


def test_refused_special_application_flashes_the_rule(client, auth, world, frozen):
    project = approved_project(world["city_unit"])
    login(client, auth, world["city_unit"])
    token = csrf_from(client.get(f"/resources/projects/{project.id}").get_data(as_text=True))
    response = client.post(f"/resources/projects/{project.id}/special", data={
        "csrf_token": token, "kind": "development", "item_code": "IAAS-VCPU", "quantity": "16",
        "expires_on": "2025-12-01"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Article 22" in page or "第二十二条" in page
    ok = client.post(f"/resources/projects/{project.id}/special", data={
        "csrf_token": token, "kind": "development", "item_code": "IAAS-VCPU", "quantity": "15",
        "expires_on": "2025-12-01"})
    assert "DV-2025-" in client.get(ok.headers["Location"]).get_data(as_text=True)


def test_operators_see_projects_in_scope_and_pending_applications(client, auth, world, frozen, api):
    xuhui = approved_project(world["unit"])
    huangpu = approved_project(world["hp_unit"], name="黄浦系统")
    allocation = open_allocation(xuhui, "IAAS-VCPU", "100")
    api.post("unit", f"/projects/{xuhui.id}/expansions", {"lines": [{"allocation_id": allocation.id,
                                                                      "quantity": "30"}]})
    login(client, auth, world["bdc"])
    html = client.get("/resources/projects").get_data(as_text=True)
    assert xuhui.name in html and huangpu.name in html and "EX-2025-" in html
    auth.logout()
    login(client, auth, world["xh_operator"])
    html = client.get("/resources/projects").get_data(as_text=True)
    assert xuhui.name in html and huangpu.name not in html
    assert client.get(f"/resources/projects/{huangpu.id}").status_code == 404
    auth.logout()
    login(client, auth, world["unit"])
    assert client.get("/resources/projects").status_code == 403


def test_catalogue_pages_and_compiling_items(client, auth, world, frozen, api):
    login(client, auth, world["hp_unit"])
    html = client.get("/catalog/").get_data(as_text=True)
    assert "云主机 vCPU" in html and 'data-testid="propose-form"' not in html
    auth.logout()
    login(client, auth, world["bdc"])
    token = csrf_from(client.get("/catalog/").get_data(as_text=True))
    proposed = client.post("/catalog/", data={"csrf_token": token, "title": "调整", "effective_from": "2025-12-01",
                                              "based_on_id": "1"})
    assert proposed.status_code == 303
    page = client.get(proposed.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="items-form"' in page
    saved = client.post(proposed.headers["Location"] + "/items", data={
        "csrf_token": token, "item-0-code": "oss", "item-0-layer": "iaas", "item-0-name": "对象存储",
        "item-0-pricing_unit": "TB·月", "item-0-unit_price": "100", "item-0-pricing_type": "tiered",
        "item-0-tier_mode": "volume", "item-0-tiers": "0:100； 100:80"})
    assert saved.status_code == 303
    page = client.get(proposed.headers["Location"]).get_data(as_text=True)
    assert "OSS" in page and "对象存储" in page and "volume" in page


def test_application_page_lets_eitc_set_the_temporary_quota(client, auth, world, frozen, api):
    project = approved_project(world["unit"], status="applying", key_work=True)
    application = api.post("unit", f"/projects/{project.id}/special-resources", {
        "kind": "temporary", "expires_on": "2025-12-31", "lines": [{"item_code": "IAAS-VCPU", "quantity": "32"}]})
    login(client, auth, world["eitc"])
    page = client.get(f"/resources/applications/{application['id']}").get_data(as_text=True)
    assert 'data-testid="grant-form"' in page and "审批应急/临时资源" in page
    line_id = application["lines"][0]["id"]
    done = client.post(f"/resources/applications/{application['id']}/quota",
                       data={"csrf_token": csrf_from(page), f"granted-{line_id}": "20"})
    assert done.status_code == 303
    assert api.get("eitc", f"/resource-applications/{application['id']}")["lines"][0]["approved_quantity"] == "20.0000"
    auth.logout()
    login(client, auth, world["hp_unit"])
    assert client.get(f"/resources/applications/{application['id']}").status_code == 404
