"""Who may send and read usage: collectors (``ingest`` tokens) and administrators send; a collector
token opens nothing else; readers see their own tenant (P.4(5))."""
from __future__ import annotations

from tests import builders

ROW = {"item": "IAAS-VCPU", "day": "2025-09-21", "quantity": "4"}


def test_collector_token_cannot_call_other_endpoints(client, site):
    for path in ("/api/v1/resources", "/api/v1/projects", "/api/v1/auth/me", "/api/v1/tasks"):
        response = client.get(path, headers=site["xh_headers"])
        assert response.status_code == 403, path
        assert response.get_json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/usage", headers=site["xh_headers"]).status_code == 200


def test_a_normal_user_token_cannot_send_usage(client, auth, site):
    row = {"resource": site["vcpu"].id, **ROW}
    for who in ("xh.unit", "xh.collector"):  # the collector's own password token carries no ingest scope
        response = client.post("/api/v1/usage", headers=auth.headers(who), json={"rows": [row]})
        assert response.status_code == 403, who
    assert client.get("/api/v1/usage", headers=site["city_headers"]).get_json()["total"] == 0


def test_an_administrator_may_send_usage(client, auth, site):
    response = client.post("/api/v1/usage", headers=auth.headers("admin1"),
                           json={"rows": [{"resource": site["hp_vcpu"].id, **ROW}]})
    assert response.get_json() == {"accepted": 1, "rejected": []}


def test_readers_see_only_their_tenant_and_units_their_own_projects(client, auth, site):
    rows = [{"resource": site["vcpu"].id, **ROW}, {"resource": site["hp_vcpu"].id, **ROW}]
    client.post("/api/v1/usage", headers=site["city_headers"], json={"rows": rows})
    xh_reader = auth.headers("xh.collector")
    assert [r["resource"] for r in client.get("/api/v1/usage", headers=xh_reader).get_json()["items"]] == [
        site["vcpu"].id]
    assert client.get("/api/v1/usage", headers=auth.headers("xh.unit")).get_json()["total"] == 1
    builders.user("xh.other", roles="unit", tenant="xuhui")  # a unit of another organisation
    assert client.get("/api/v1/usage", headers=auth.headers("xh.other")).get_json()["total"] == 0
    assert client.get("/api/v1/usage", headers=site["city_headers"]).get_json()["total"] == 2


def test_reading_filters_and_pages(client, site):
    vcpu = site["vcpu"]
    rows = [{"resource": vcpu.id, "item": "IAAS-VCPU", "day": f"2025-09-{d:02d}", "quantity": str(d)}
            for d in range(1, 21)]
    client.post("/api/v1/usage", headers=site["xh_headers"], json={"rows": rows})
    page = client.get("/api/v1/usage", headers=site["xh_headers"],
                      query_string={"from": "2025-09-05", "to": "2025-09-14", "per_page": 4, "page": 2}).get_json()
    assert page["total"] == 10 and page["page"] == 2 and page["per_page"] == 4
    assert [r["day"] for r in page["items"]] == ["2025-09-09", "2025-09-10", "2025-09-11", "2025-09-12"]
    assert client.get("/api/v1/usage", headers=site["xh_headers"],
                      query_string={"item": "IAAS-MEM"}).get_json()["total"] == 0


def test_the_api_description_lists_both_usage_operations(client, db):
    spec = client.get("/api/v1/openapi.json").get_json()
    usage = spec["paths"]["/api/v1/usage"]
    assert set(usage) >= {"get", "post"}
    assert set(usage["post"]["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
