"""Every API endpoint that takes an object id is probed across tenants.

A new endpoint with a path parameter must be added to PROBES (with a builder that makes an
object of another district); the test fails until it is, so no endpoint escapes the check.
"""
from __future__ import annotations

from collections.abc import Callable

import pytest

from tests import builders
from tests.attachments import probes as attachment_probes
from tests.billing import probes as billing_probes
from tests.evaluation import probes as evaluation_probes
from tests.governance import probes as governance_probes
from tests.inbox import probes as inbox_probes
from tests.monitoring import probes as monitoring_probes
from tests.onboarding import probes as onboarding_probes
from tests.procurement import probes as procurement_probes
from tests.resources import probes as resource_probes


def _token_of_other_user(client, auth) -> dict:
    builders.user("other.owner", roles="unit", tenant="xuhui")
    headers = auth.headers("other.owner")
    return {"token_id": client.get("/api/v1/auth/tokens", headers=headers).get_json()[0]["id"]}


def _xuhui_instance(client, auth) -> dict:
    """A review instance started by a xuhui unit, waiting at its user task."""
    from app.extensions import db
    from app.security import Actor
    from app.workflow import service
    from tests.engine.conftest import deploy_file

    deploy_file("review_chain.bpmn")
    unit = builders.user("xh.unit", roles="unit", tenant="xuhui")
    instance = service.start_instance(db.session, Actor.of(unit), process_key="review_chain",
                                      variables={"amount": 1})
    db.session.commit()
    return {"instance_id": instance.id}


def _xuhui_task(client, auth) -> dict:
    from sqlalchemy import select

    from app.extensions import db
    from app.security import all_tenants
    from app.workflow.models import HumanTask

    instance_id = _xuhui_instance(client, auth)["instance_id"]
    task_id = db.session.scalar(all_tenants(select(HumanTask.id).where(HumanTask.instance_id == instance_id)))
    return {"task_id": task_id}


def _xuhui_incident(client, auth) -> dict:
    from sqlalchemy import select

    from app.extensions import db
    from app.security import all_tenants
    from app.workflow.models import Incident

    db.session.add(Incident(instance_id=_xuhui_instance(client, auth)["instance_id"], tenant_id="xuhui",
                            error_type="RuntimeError", message="x"))
    db.session.commit()
    return {"incident_id": db.session.scalar(all_tenants(select(Incident.id)))}


def _xuhui_timer(client, auth) -> dict:
    from sqlalchemy import select

    from app.extensions import db
    from app.security import all_tenants
    from app.workflow.models import Timer

    instance_id = _xuhui_instance(client, auth)["instance_id"]
    return {"timer_id": db.session.scalar(all_tenants(select(Timer.id).where(Timer.instance_id == instance_id)
                                                      .limit(1)))}


# endpoint -> builder(client, auth) returning the path parameters of an object in xuhui.
PROBES: dict[str, Callable] = {
    "auth.TokenById": _token_of_other_user,
    "workflow.InstanceById": _xuhui_instance,
    "workflow.InstanceHistory": _xuhui_instance,
    "workflow.InstanceMessages": _xuhui_instance,
    "workflow.InstanceCancel": _xuhui_instance,
    "workflow.IncidentRetry": _xuhui_incident,
    **inbox_probes.PROBES,
    "tasks.TaskById": _xuhui_task,
    "scheduler.TimerRetry": _xuhui_timer,
    "tasks.TaskClaim": _xuhui_task,
    "tasks.TaskUnclaim": _xuhui_task,
    "tasks.TaskComplete": _xuhui_task,
    "admin_api.InstanceById": _xuhui_instance,
    "admin_api.InstanceHistory": _xuhui_instance,
    "admin_api.InstanceSuspend": _xuhui_instance,
    "admin_api.InstanceResume": _xuhui_instance,
    "admin_api.InstanceCancel": _xuhui_instance,
    "admin_api.InstanceVariables": _xuhui_instance,
    "admin_api.InstanceMessages": _xuhui_instance,
    "admin_api.InstanceMove": _xuhui_instance,
    "admin_api.InstanceMigrate": _xuhui_instance,
    "admin_api.IncidentRetry": _xuhui_incident,
    **resource_probes.PROBES,  # catalogue, projects, resources: tests/resources/probes.py
    **evaluation_probes.PROBES,
    **governance_probes.PROBES,  # vendor changes, incidents, drills: tests/governance/probes.py
    **billing_probes.PROBES,  # settlement: tests/billing/probes.py
    **monitoring_probes.PROBES,
    **procurement_probes.PROBES,  # solicitations and contracts: tests/procurement/probes.py
    **attachment_probes.PROBES,
    **onboarding_probes.PROBES,
}
# Endpoints whose path parameter is not a tenant object (e.g. a definition key readable by all).
NOT_TENANT_OBJECTS: set[str] = {"workflow.DefinitionXml"}
NOT_TENANT_OBJECTS |= evaluation_probes.NOT_TENANT_OBJECTS
NOT_TENANT_OBJECTS |= monitoring_probes.NOT_TENANT_OBJECTS
# A body that passes validation, so the request reaches the lookup.
BODIES = {"workflow.InstanceMessages": {"name": "payment_confirmed"}, "tasks.TaskComplete": {"data": {}},
          **{f"admin_api.{name}": {"reason": "probe"} for name in (
              "InstanceSuspend", "InstanceResume", "InstanceCancel", "InstanceVariables", "InstanceMigrate",
              "IncidentRetry")},
          "admin_api.InstanceMessages": {"name": "payment_confirmed", "reason": "probe"},
          "admin_api.InstanceMove": {"source": "Review", "target": "Escalate", "reason": "probe"},
          **resource_probes.BODIES,
          **evaluation_probes.BODIES,
          **governance_probes.BODIES,
          **billing_probes.BODIES,
          **monitoring_probes.BODIES,
          **procurement_probes.BODIES,
          **attachment_probes.BODIES,
          **onboarding_probes.BODIES,
          }
MISSING = {"instance_id": 999999, "task_id": "00000000-0000-0000-0000-000000000000", "incident_id": 999999,
           "token_id": 999999, "timer_id": 999999, "absence_id": 999999, "notification_id": 999999,
           **resource_probes.MISSING,
           **evaluation_probes.MISSING,
           **governance_probes.MISSING,
           **billing_probes.MISSING,
           **monitoring_probes.MISSING,
           **procurement_probes.MISSING,
           **attachment_probes.MISSING,
           **onboarding_probes.MISSING,
           }


def _api_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/") and r.arguments]


def test_every_parametrised_endpoint_has_a_probe(app):
    missing = sorted(r.endpoint for r in _api_rules(app)
                     if r.endpoint not in PROBES and r.endpoint not in NOT_TENANT_OBJECTS)
    assert missing == [], f"add cross-tenant probes for: {missing}"


@pytest.mark.parametrize("endpoint", sorted(PROBES))
def test_other_district_object_is_404_on_every_method(endpoint, app, client, auth, db):
    params = PROBES[endpoint](client, auth)
    builders.user("intruder", roles={"district.operator"}, tenant="huangpu")
    headers = auth.headers("intruder")
    rules = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    for rule in rules:
        path = rule.build(params, append_unknown=False)[1]
        absent = rule.build({k: MISSING[k] for k in params}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            body = BODIES.get(endpoint, {})
            response = client.open(path, method=method, headers=headers, json=body)
            # Another district's object must look exactly like one that does not exist:
            # 404, or the same 403 a role check gives before any lookup.
            baseline = client.open(absent, method=method, headers=headers, json=body)
            assert response.status_code in (403, 404), (method, path, response.get_json())
            assert (response.status_code, response.get_json()["error"]["code"]) == (
                baseline.status_code, baseline.get_json()["error"]["code"]), (method, path)
