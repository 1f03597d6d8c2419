"""Completing tasks of a deployed diagram: form rules, 409 on the second completion, substitutes, context."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import Conflict, ValidationFailed
from app.inbox import context, service, substitutes
from app.security import all_tenants
from app.workflow.models import AuditEvent
from tests.inbox.conftest import GOOD, actor, open_task, start


def test_form_rules_are_enforced_and_a_second_completion_is_409(db, people, approval):
    instance = start(db, people)
    task = open_task(db, instance.id)
    assert task.form_id == "example-approval" and task.documentation.startswith("M.19")
    op = actor(people["op_hp"])
    for bad, field in (({**GOOD, "quantity": 1001}, "quantity"), ({**GOOD, "decision": "maybe"}, "decision"),
                       ({**GOOD, "comment": "x"}, "comment"), ({"decision": "approve"}, "comment"),
                       ({**GOOD, "approved": True}, "approved")):
        with pytest.raises(ValidationFailed) as refused:
            service.complete(db.session, op, task.id, bad)
        db.session.rollback()
        assert field in refused.value.fields, (bad, refused.value.fields)
    assert open_task(db, instance.id).id == task.id  # nothing broke a rule and got through
    done = service.complete(db.session, op, task.id, GOOD)
    db.session.commit()
    assert (done.status, done.completed_by) == ("completed", "op.hp")
    with pytest.raises(Conflict):
        service.complete(db.session, op, task.id, GOOD)
    db.session.rollback()
    with pytest.raises(Conflict):
        service.complete(db.session, actor(people["op_hp2"]), task.id, GOOD)
    assert open_task(db, instance.id, "Confirm") is not None


def test_api_complete_422_then_200_then_409(client, auth, db, people, approval):
    task = open_task(db, start(db, people).id)
    headers = auth.headers("op.hp")
    detail = client.get(f"/api/v1/tasks/{task.id}", headers=headers).get_json()
    assert detail["form"]["id"] == "example-approval" and detail["data"]["vcpu"] == 8
    assert detail["regulation"]["code"] == "M.19" and detail["regulation"]["source"]
    refused = client.post(f"/api/v1/tasks/{task.id}/complete", headers=headers,
                          json={"data": {**GOOD, "quantity": 0}})
    assert refused.status_code == 422 and "quantity" in refused.get_json()["error"]["fields"]
    assert client.post(f"/api/v1/tasks/{task.id}/complete", headers=headers, json={"data": GOOD}).status_code == 200
    again = client.post(f"/api/v1/tasks/{task.id}/complete", headers=headers, json={"data": GOOD})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "task_completed"


def test_substitute_completes_on_behalf_and_the_audit_names_both(db, people, approval, frozen):
    instance = start(db, people)
    task = open_task(db, instance.id)
    service.claim(db.session, actor(people["op_hp"]), task.id)
    substitutes.set_absence(db.session, actor(people["op_hp"]), substitute="op.hp2", starts_on=date(2025, 11, 19),
                            ends_on=date(2025, 11, 21))
    db.session.commit()
    sub = actor(people["op_hp2"])
    [covered] = service.list_tasks(db.session, sub, scope="covering").items
    assert (covered.id, covered.on_behalf_of) == (task.id, "op.hp")
    page = context.task_page(db.session, sub, task.id)
    assert page.can_complete and page.on_behalf_of == "op.hp"
    done = service.complete(db.session, sub, task.id, GOOD)
    db.session.commit()
    assert done.on_behalf_of == "op.hp" and done.completed_by == "op.hp2"
    event = db.session.scalar(all_tenants(select(AuditEvent).where(AuditEvent.instance_id == instance.id,
                                                                   AuditEvent.kind == "task_completed")))
    assert (event.actor, event.on_behalf_of) == ("op.hp2", "op.hp")


def test_task_context_shows_the_process_around_the_task(db, people, approval):
    people["unit"].display_name = "黄浦区某委办"
    db.session.commit()
    instance = start(db, people, business_key="REQ-42")
    first = open_task(db, instance.id)
    op = actor(people["op_hp"])
    service.complete(db.session, op, first.id, GOOD)
    db.session.commit()
    page = context.task_page(db.session, op, open_task(db, instance.id, "Confirm").id)
    ctx = page.context
    assert ctx.instance.business_key == "REQ-42" and ctx.started_by == "黄浦区某委办"
    assert ("vcpu", 8) in ctx.variables and ("decision", "approve") in ctx.variables
    kinds = [e.kind for e in ctx.history]
    assert kinds[0] == "started" and "task_completed" in kinds and kinds[-1] == "task_created"
    assert ctx.citation is None  # the Confirm step documents no article
    done_page = context.task_page(db.session, op, first.id)
    assert done_page.context.citation.code == "M.19" and not done_page.can_complete
    assert done_page.values["comment"] == "同意开通"


def test_citations_are_read_from_the_documentation():
    assert context.citation("M.19: bdc reviews within 5 working days").code == "M.19"
    assert context.citation("P.4(5)：各区逻辑隔离").code == "P.4(5)"
    assert context.citation("M.21–M.24 special resources").code == "M.21–M.24"
    assert context.citation("Review the request") is None and context.citation(None) is None
