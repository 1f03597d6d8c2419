"""Every admin action leaves an audit event with the admin's name and reason; tampering shows."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select, update

from app.extensions import db as _db
from app.security import all_tenants
from app.workflow import service as workflow_service
from app.workflow.models import AuditEvent, Incident
from tests.admin.conftest import FAIL, actor, approve, deploy, events, reload, start, xml_with_check


def _waiting(people):
    return start(people)


def _suspended(people):
    instance = start(people)
    from app.workflow import operations

    operations.suspend(_db.session, actor(people["admin"]), instance.id, reason="setup")
    _db.session.commit()
    return instance


def _at_message(people):
    instance = start(people, approved=True)
    approve(people, instance.id)
    return instance


def _with_incident(people):
    instance = _at_message(people)
    FAIL["record"] = True
    workflow_service.send_message(_db.session, actor(people["bdc"]), instance.id, "payment_confirmed")
    _db.session.commit()
    FAIL["record"] = False
    return instance


def _with_v2(people):
    instance = start(people)
    deploy(xml_with_check())
    return instance


def _incident_id(instance_id: int) -> int:
    return _db.session.scalar(all_tenants(select(Incident.id).where(Incident.instance_id == instance_id)))


# action name -> (set-up, path builder, body without reason, audit kind expected)
ACTIONS: dict[str, tuple[Callable, Callable, dict, str]] = {
    "suspend": (_waiting, lambda i: f"/api/v1/admin/instances/{i}/suspend", {}, "suspended"),
    "resume": (_suspended, lambda i: f"/api/v1/admin/instances/{i}/resume", {}, "resumed"),
    "cancel": (_waiting, lambda i: f"/api/v1/admin/instances/{i}/cancel", {}, "cancelled"),
    "variables": (_waiting, lambda i: f"/api/v1/admin/instances/{i}/variables", {"values": {"amount": 7}},
                  "variables_changed"),
    "message": (_at_message, lambda i: f"/api/v1/admin/instances/{i}/messages", {"name": "payment_confirmed"},
                "message"),
    "move": (_waiting, lambda i: f"/api/v1/admin/instances/{i}/move", {"source": "Review", "target": "Escalate"},
             "token_moved"),
    "migrate": (_with_v2, lambda i: f"/api/v1/admin/instances/{i}/migrate", {}, "migrated"),
    "retry": (_with_incident, lambda i: f"/api/v1/admin/incidents/{_incident_id(i)}/retry", {}, "incident_retried"),
    "batch-migrate": (_with_v2, lambda i: "/api/v1/admin/migrations",
                      {"process_key": "admin_review", "instance_ids": None}, "migrated"),
}


def _body(base: dict, instance_id: int) -> dict:
    body = dict(base)
    if "instance_ids" in body:
        body["instance_ids"] = [instance_id]
    return body


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_every_admin_action_is_audited_with_name_and_reason(name, client, auth, db, v1, people):
    setup, path, body, kind = ACTIONS[name]
    instance = setup(people)
    seq_before = reload(instance.id).audit_seq
    reason = f"ticket YG-{name}: fixing by hand"
    response = client.post(path(instance.id), json={**_body(body, instance.id), "reason": reason},
                           headers=auth.headers("admin1"))
    assert response.status_code == 200, response.get_json()
    new = [e for e in events(instance.id) if e.seq > seq_before]
    mine = [e for e in new if e.kind == kind]
    assert mine, [e.kind for e in new]
    assert (mine[0].actor, mine[0].details.get("reason")) == ("admin1", reason)


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_an_admin_action_without_a_reason_is_refused_and_leaves_no_trace(name, client, auth, db, v1, people):
    setup, path, body, _kind = ACTIONS[name]
    instance = setup(people)
    before = reload(instance.id)
    state = (before.status, before.lock_version, before.audit_seq, before.definition_id)
    for reason in (None, "   "):
        payload = _body(body, instance.id)
        if reason is not None:
            payload["reason"] = reason
        response = client.post(path(instance.id), json=payload, headers=auth.headers("admin1"))
        assert response.status_code == 422, response.get_json()
        assert "reason" in response.get_json()["error"]["fields"]
    after = reload(instance.id)
    assert (after.status, after.lock_version, after.audit_seq, after.definition_id) == state


def test_a_tampered_audit_row_is_detected_on_display(client, auth, db, v1, people):
    instance = start(people)
    approve(people, instance.id)
    headers = auth.headers("admin1")
    history = client.get(f"/api/v1/admin/instances/{instance.id}/history", headers=headers).get_json()
    assert (history["intact"], history["broken_at"]) == (True, None)
    # Someone with database access rewrites who completed the task.
    victim = next(e for e in events(instance.id) if e.kind == "task_completed")
    db.session.execute(update(AuditEvent).where(AuditEvent.id == victim.id).values(actor="someone.else"))
    db.session.commit()
    history = client.get(f"/api/v1/admin/instances/{instance.id}/history", headers=headers).get_json()
    assert (history["intact"], history["broken_at"]) == (False, victim.seq)
    detail = client.get(f"/api/v1/admin/instances/{instance.id}", headers=headers).get_json()
    assert detail["chain"] == {"intact": False, "broken_at": victim.seq}
    auth.login("admin1")
    page = client.get(f"/admin/instances/{instance.id}").get_data(as_text=True)
    assert 'class="chain-broken"' in page and 'class="tampered"' in page


def test_a_deleted_audit_row_is_detected(client, auth, db, v1, people):
    instance = start(people)
    approve(people, instance.id)
    last = events(instance.id)[-1]
    db.session.delete(db.session.get(AuditEvent, last.id))
    db.session.commit()
    history = client.get(f"/api/v1/admin/instances/{instance.id}/history", headers=auth.headers("admin1")).get_json()
    assert history["intact"] is False and history["broken_at"] == last.seq
