"""The CONTRACT endpoints for definitions, deployments, instances, tasks, messages, incidents."""
from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy import select

from app.security import all_tenants
from app.workflow.models import HumanTask
from tests import builders
from tests.engine import conftest as ec
from tests.foundation.test_tokens import assert_error_shape


@pytest.fixture()
def tokens(auth, people):
    return {name: auth.headers(user.username) for name, user in people.items()}


def upload(client, headers, name, content: bytes):
    return client.post("/api/v1/deployments", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), name)})


def test_deploy_via_api_versions_and_refusals(client, db, auth):
    builders.user("po", roles="process_owner")
    builders.user("plain", roles="bdc")
    owner, other = auth.headers("po"), auth.headers("plain")
    xml = (ec.HERE / "review_chain.bpmn").read_bytes()
    assert_error_shape(upload(client, other, "review_chain.bpmn", xml), 403)
    first = upload(client, owner, "review_chain.bpmn", xml)
    assert first.status_code == 201 and first.get_json()["version"] == 1
    same = upload(client, owner, "review_chain.bpmn", xml)
    assert same.status_code == 200 and same.get_json() == {**first.get_json(), "created": False}
    changed = upload(client, owner, "review_chain.bpmn", xml.replace(b"Review the request", b"Review it"))
    assert changed.status_code == 201 and changed.get_json()["version"] == 2
    bad = upload(client, owner, "review_chain.bpmn", xml.replace(b'camunda:topic="test.record"',
                                                                  b'camunda:topic="no.such.topic"'))
    error = assert_error_shape(bad, 422, "invalid_diagram")
    assert any("Record" in reason and "no.such.topic" in reason for reason in error["fields"]["file"])
    listed = client.get("/api/v1/process-definitions", headers=owner).get_json()
    assert [(d["key"], d["version"]) for d in listed] == [("review_chain", 2), ("review_chain", 1)]
    xml_v1 = client.get("/api/v1/process-definitions/review_chain/xml?version=1", headers=owner)
    assert xml_v1.status_code == 200 and xml_v1.data == xml


def test_instance_lifecycle_through_http(client, db, review, tokens):
    started = client.post("/api/v1/process-instances", headers=tokens["unit"],
                          json={"process_key": "review_chain", "business_key": "REQ-7", "variables": {"amount": 10}})
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    assert body["status"] == "running" and body["active_element_ids"][0] == "Review"
    assert {t["element_id"] for t in body["timers"]} == {"Remind", "Overdue"}
    instance_id = body["id"]
    tasks = client.get("/api/v1/tasks?scope=candidate", headers=tokens["bdc"]).get_json()
    assert tasks["total"] == 1 and tasks["items"][0]["element_id"] == "Review"
    task_id = tasks["items"][0]["id"]
    assert client.get("/api/v1/tasks?scope=candidate", headers=tokens["op_xh"]).get_json()["total"] == 0
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=tokens["bdc"]).status_code == 200
    mine = client.get("/api/v1/tasks?scope=mine", headers=tokens["bdc"]).get_json()
    assert [t["id"] for t in mine["items"]] == [task_id]
    detail = client.get(f"/api/v1/tasks/{task_id}", headers=tokens["bdc"]).get_json()
    assert detail["data"]["amount"] == 10
    done = client.post(f"/api/v1/tasks/{task_id}/complete", headers=tokens["bdc"], json={"data": {"approved": True}})
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
    assert_error_shape(client.post(f"/api/v1/tasks/{task_id}/complete", headers=tokens["bdc"],
                                   json={"data": {"approved": True}}), 409)
    wrong = client.post(f"/api/v1/process-instances/{instance_id}/messages", headers=tokens["bdc"],
                        json={"name": "nobody_waits"})
    assert_error_shape(wrong, 409)
    sent = client.post(f"/api/v1/process-instances/{instance_id}/messages", headers=tokens["bdc"],
                       json={"name": "payment_confirmed", "variables": {"ref": "X"}})
    assert sent.status_code == 200 and sent.get_json()["status"] == "completed"
    history = client.get(f"/api/v1/process-instances/{instance_id}/history", headers=tokens["unit"]).get_json()
    assert history[0]["kind"] == "started" and history[-1]["kind"] == "completed"
    assert [e["seq"] for e in history] == list(range(1, len(history) + 1))


def test_other_district_cannot_see_or_act_on_instances(client, db, review, tokens):
    started = client.post("/api/v1/process-instances", headers=tokens["unit"],
                          json={"process_key": "review_chain", "variables": {"amount": 1}}).get_json()
    instance_id = started["id"]
    for path in (f"/api/v1/process-instances/{instance_id}", f"/api/v1/process-instances/{instance_id}/history"):
        assert_error_shape(client.get(path, headers=tokens["op_xh"]), 404)
    assert_error_shape(client.post(f"/api/v1/process-instances/{instance_id}/messages", headers=tokens["op_xh"],
                                   json={"name": "payment_confirmed"}), 404)
    listed = client.get("/api/v1/process-instances", headers=tokens["op_xh"]).get_json()
    assert listed["total"] == 0
    assert client.get("/api/v1/process-instances", headers=tokens["op_hp"]).get_json()["total"] == 1


def test_bad_start_requests(client, db, review, tokens):
    assert_error_shape(client.post("/api/v1/process-instances", headers=tokens["unit"],
                                   json={"process_key": "nope"}), 404)
    error = assert_error_shape(client.post("/api/v1/process-instances", headers=tokens["unit"],
                                           json={"process_key": "review_chain", "variables": {"typename": 1}}), 422)
    assert "variables" in error["fields"]
    error = assert_error_shape(client.post("/api/v1/process-instances", headers=tokens["unit"],
                                           json={"process_key": "review_chain", "variables": []}), 422)
    assert "variables" in error["fields"]
    assert_error_shape(client.post("/api/v1/process-instances", headers=tokens["op_hp"],
                                   json={"process_key": "review_chain", "tenant": "xuhui"}), 404)


def test_incidents_api_is_admin_only(client, db, review, tokens):
    assert_error_shape(client.get("/api/v1/incidents", headers=tokens["bdc"]), 403)
    assert client.get("/api/v1/incidents", headers=tokens["admin"]).status_code == 200


@pytest.mark.postgres
def test_two_threads_completing_one_task_one_wins_other_409(app, db, review, people):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are what this proves; SQLite serialises writers on its own")
    from app.workflow import service
    from tests.engine.test_instances import actor, start_review

    instance = start_review(db, people)
    task_id = db.session.scalar(all_tenants(select(HumanTask.id).where(HumanTask.instance_id == instance.id)))
    results: list[str] = []
    barrier = threading.Barrier(2)

    def work():
        with app.app_context():
            from app.extensions import db as local_db

            barrier.wait()
            try:
                service.complete_task(local_db.session, actor(people["bdc"]), task_id, {"approved": False})
                local_db.session.commit()
                results.append("ok")
            except Exception as exc:
                local_db.session.rollback()
                results.append(f"{type(exc).__name__}:{getattr(exc, 'code', '')}")
            finally:
                local_db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # the loser, once it holds the lock, sees what the winner committed (here the instance ended)
    assert sorted(results) in (["Conflict:instance_completed", "ok"], ["Conflict:task_completed", "ok"])
    db.session.expire_all()
    from app.workflow.models import ProcessInstance

    row = db.session.scalar(all_tenants(select(ProcessInstance).where(ProcessInstance.id == instance.id)))
    assert row.status == "completed"
    assert db.session.scalar(all_tenants(select(HumanTask).where(HumanTask.id == task_id))).status == "completed"
