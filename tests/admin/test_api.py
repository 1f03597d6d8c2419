"""/api/v1/admin: the same read models and actions as the pages, documented in OpenAPI."""
from __future__ import annotations

import io
from datetime import timedelta

from app import clock
from tests.admin.conftest import approve, deploy, start, xml_v1, xml_with_check


def test_openapi_documents_the_admin_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ["/api/v1/admin/dashboard", "/api/v1/admin/definitions", "/api/v1/admin/deployments",
                 "/api/v1/admin/instances", "/api/v1/admin/instances/{instance_id}",
                 "/api/v1/admin/instances/{instance_id}/history", "/api/v1/admin/instances/{instance_id}/move",
                 "/api/v1/admin/instances/{instance_id}/migrate", "/api/v1/admin/migrations/preview",
                 "/api/v1/admin/migrations", "/api/v1/admin/incidents/{incident_id}/retry"]:
        assert path in paths, path


def test_deploy_through_the_api_lists_each_problem(client, auth, db, people, v1):
    headers = auth.headers("owner1")
    broken = xml_v1().replace(b'camunda:candidateGroups="bdc"', b'camunda:candidateGroups="bdc.typo"')
    response = client.post("/api/v1/admin/deployments", headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(broken), "admin_review.bpmn")})
    assert response.status_code == 422
    [problem] = response.get_json()["error"]["fields"]["file"]
    assert problem.startswith("admin_review.bpmn:") and "[Review]" in problem and "bdc.typo" in problem
    response = client.post("/api/v1/admin/deployments", headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(xml_with_check()), "admin_review.bpmn")})
    assert response.status_code == 201 and response.get_json() == {"key": "admin_review", "version": 2,
                                                                    "created": True}
    groups = client.get("/api/v1/admin/definitions", headers=headers).get_json()
    [group] = groups
    assert [v["version"] for v in group["versions"]] == [2, 1]
    assert group["versions"][0]["deployed_by"] == "owner1"


def test_instance_list_filters(client, auth, db, people, v1):
    first = start(people, business_key="A-1")
    second = start(people, business_key="B-2", who="unit_xh")
    approve(people, second.id, approved=False)
    headers = auth.headers("admin1")

    def ids(**query):
        body = client.get("/api/v1/admin/instances", query_string=query, headers=headers).get_json()
        return [item["id"] for item in body["items"]]

    assert ids() == [second.id, first.id]
    assert ids(status="completed") == [second.id]
    assert ids(tenant="huangpu") == [first.id]
    assert ids(business_key="A-") == [first.id]
    assert ids(waiting_at="Review") == [first.id]
    assert ids(has_incident="false") == [second.id, first.id]
    assert ids(process_key="admin_review", version=2) == []
    soon = (clock.now() + timedelta(hours=1)).isoformat()
    assert ids(started_from=soon) == [] and len(ids(started_to=soon)) == 2
    body = client.get("/api/v1/admin/instances", query_string={"per_page": 1, "page": 2}, headers=headers).get_json()
    assert (body["total"], [i["id"] for i in body["items"]]) == (2, [first.id])


def test_instance_detail_and_preview(client, auth, db, people, v1):
    instance = start(people)
    headers = auth.headers("admin1")
    detail = client.get(f"/api/v1/admin/instances/{instance.id}", headers=headers).get_json()
    assert detail["active_element_ids"] == ["Review", "Overdue"]
    assert detail["taken_flow_ids"] == ["Flow_1"] and detail["completed_element_ids"] == ["StartEvent_1"]
    assert detail["tasks"][0]["people"] == ["bdc1"] and detail["timers"][0]["element_id"] == "Overdue"
    assert detail["chain"] == {"intact": True, "broken_at": None}
    deploy(xml_with_check())
    [preview] = client.post("/api/v1/admin/migrations/preview", json={"process_key": "admin_review"},
                            headers=headers).get_json()
    assert (preview["instance_id"], preview["ok"], preview["to_version"]) == (instance.id, True, 2)
    moved = client.post(f"/api/v1/admin/instances/{instance.id}/move", headers=headers,
                        json={"source": "Review", "target": "Nowhere", "reason": "r"})
    assert moved.status_code == 409 and "target" in moved.get_json()["error"]["fields"]


def test_dashboard_api(client, auth, db, people, v1):
    start(people)
    body = client.get("/api/v1/admin/dashboard", headers=auth.headers("admin1")).get_json()
    assert body["by_process"] == [{"key": "admin_review", "name": "Admin review", "running": 1, "incidents": 0}]
    assert body["incident_count"] == 0 and body["overdue_by_district"] == []
    owner = client.get("/api/v1/admin/dashboard", headers=auth.headers("owner1")).get_json()
    assert owner["jobs"] is None  # job health is for admins
