"""Only admins act; process owners look and deploy; nobody else reaches the admin area."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.security import all_tenants
from app.workflow.models import Incident
from tests.admin.conftest import approve, reload, start
from tests.conftest import csrf_from

# Every state-changing admin endpoint: (path template, JSON body that would pass validation).
API_ACTIONS = [
    ("/api/v1/admin/instances/{id}/suspend", {"reason": "r"}),
    ("/api/v1/admin/instances/{id}/resume", {"reason": "r"}),
    ("/api/v1/admin/instances/{id}/cancel", {"reason": "r"}),
    ("/api/v1/admin/instances/{id}/variables", {"values": {"amount": 1}, "reason": "r"}),
    ("/api/v1/admin/instances/{id}/messages", {"name": "payment_confirmed", "reason": "r"}),
    ("/api/v1/admin/instances/{id}/move", {"source": "Review", "target": "Escalate", "reason": "r"}),
    ("/api/v1/admin/instances/{id}/migrate", {"reason": "r"}),
    ("/api/v1/admin/incidents/{incident}/retry", {"reason": "r"}),
    ("/api/v1/admin/migrations", {"process_key": "admin_review", "reason": "r"}),
    ("/api/v1/admin/migrations/preview", {"process_key": "admin_review"}),
]
PAGE_ACTIONS = ["suspend", "resume", "cancel", "variables", "message", "move", "migrate"]
NON_ADMINS = ["owner", "bdc", "eitc", "unit", "op_hp"]


@pytest.fixture()
def target(db, v1, people):
    instance = start(people)
    incident = Incident(instance_id=instance.id, tenant_id=instance.tenant_id, error_type="RuntimeError",
                        message="x", element_id="Record")
    db.session.add(incident)
    db.session.commit()
    return instance, incident


def _state(db, instance_id):
    instance = reload(instance_id)
    return instance.status, instance.lock_version, instance.audit_seq, instance.definition_id


@pytest.mark.parametrize("who", NON_ADMINS)
def test_no_admin_action_through_the_api_for_non_admins(who, client, auth, db, people, target):
    instance, incident = target
    headers = auth.headers(people[who].username)
    before = _state(db, instance.id)
    for template, body in API_ACTIONS:
        path = template.format(id=instance.id, incident=incident.id)
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 403, (who, path, response.get_json())
        assert response.get_json()["error"]["code"] == "forbidden"
    assert _state(db, instance.id) == before
    assert db.session.scalar(all_tenants(select(Incident.status).where(Incident.id == incident.id))) == "open"


@pytest.mark.parametrize("who", NON_ADMINS)
def test_no_admin_action_through_the_pages_for_non_admins(who, client, auth, db, people, target):
    instance, incident = target
    auth.login(people[who].username)
    token = csrf_from(client.get("/").get_data(as_text=True))
    before = _state(db, instance.id)
    for action in PAGE_ACTIONS:
        response = client.post(f"/admin/instances/{instance.id}/{action}",
                               data={"csrf_token": token, "reason": "r", "source": "Review", "target": "Escalate",
                                     "name": "payment_confirmed", "values": '{"a": 1}'})
        assert response.status_code == 403, (who, action)
    assert client.post(f"/admin/incidents/{incident.id}/retry", data={"csrf_token": token, "reason": "r"}
                       ).status_code == 403
    assert client.post("/admin/migrations", data={"csrf_token": token, "process_key": "admin_review",
                                                  "do": "migrate", "reason": "r"}).status_code == 403
    assert _state(db, instance.id) == before


@pytest.mark.parametrize("who", ["bdc", "unit", "op_hp"])
def test_the_admin_area_is_closed_to_everyone_else(who, client, auth, db, people, target):
    instance, _incident = target
    auth.login(people[who].username)
    for path in ["/admin/", "/admin/definitions", "/admin/instances", f"/admin/instances/{instance.id}",
                 "/admin/definitions/admin_review/1", "/admin/migrations"]:
        assert client.get(path).status_code == 403, path
    headers = auth.headers(people[who].username)
    for path in ["/api/v1/admin/dashboard", "/api/v1/admin/definitions", "/api/v1/admin/instances",
                 f"/api/v1/admin/instances/{instance.id}", f"/api/v1/admin/instances/{instance.id}/history"]:
        assert client.get(path, headers=headers).status_code == 403, path


def test_process_owners_look_and_deploy_but_do_not_act(client, auth, db, people, target):
    instance, _incident = target
    auth.login("owner1")
    for path in ["/admin/", "/admin/definitions", "/admin/instances", f"/admin/instances/{instance.id}"]:
        assert client.get(path).status_code == 200, path
    page = client.get(f"/admin/instances/{instance.id}").get_data(as_text=True)
    assert 'data-testid="form-suspend"' not in page  # no action forms for them
    assert client.get("/admin/migrations").status_code == 403


def test_admin_forms_need_the_csrf_token(client, auth, db, people, target):
    instance, _incident = target
    auth.login("admin1")
    response = client.post(f"/admin/instances/{instance.id}/suspend", data={"reason": "no token"})
    assert response.status_code == 400
    assert reload(instance.id).status == "running"


def test_admins_see_other_districts_instances(client, auth, db, people, v1):
    xuhui = start(people, who="unit_xh", business_key="XH-1")
    approve(people, xuhui.id, approved=False)
    headers = auth.headers("admin1")
    body = client.get("/api/v1/admin/instances", query_string={"tenant": "xuhui"}, headers=headers).get_json()
    assert [i["id"] for i in body["items"]] == [xuhui.id]
