"""Admin test helpers: wiring until the factory registers the admin blueprints, people, diagrams.

``wire_admin`` registers the pages blueprint and the API blueprint on the session's app when the
factory does not (yet); once ``create_app`` registers them, it does nothing.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from app.jobs import models as jobs_models  # noqa: F401 - job_run joins the metadata for the dashboard
from app.security import SYSTEM, Actor, all_tenants
from app.workflow import deployment, handlers
from app.workflow import service as workflow_service
from app.workflow.models import AuditEvent, HumanTask, ProcessInstance
from tests import builders

HERE = Path(__file__).parent
DIAGRAM = HERE / "diagrams" / "admin_review.bpmn"
FAIL = {"record": False}

# v2 inserts a user task between the payment message and the recording step.
CHECK_TASK = ('<bpmn:sequenceFlow id="Flow_3" sourceRef="WaitPayment" targetRef="Check" />'
              '<bpmn:userTask id="Check" name="Check the payment" camunda:candidateGroups="bdc">'
              '<bpmn:incoming>Flow_3</bpmn:incoming><bpmn:outgoing>Flow_3b</bpmn:outgoing></bpmn:userTask>'
              '<bpmn:sequenceFlow id="Flow_3b" sourceRef="Check" targetRef="Record" />')


@handlers.handler("admin_test.record")
def _record(ctx):
    if FAIL["record"]:
        raise RuntimeError("the records office is closed")
    return {"recorded": True}


def wire_admin(app) -> None:
    from app.admin import api, views

    if "admin" not in app.blueprints:
        # Flask refuses blueprints once a request was served; registering late is safe here:
        # no request is running.
        served, app._got_first_request = app._got_first_request, False
        app.register_blueprint(views.bp)
        smorest = app.extensions["flask-smorest"]["blp_name_to_api"]["workflow"]
        smorest.register_blueprint(api.bp)
        app._got_first_request = served
    with app.app_context():
        _db.create_all()


@pytest.fixture(scope="session")
def app(app):
    wire_admin(app)
    return app


@pytest.fixture(autouse=True)
def _forget_definitions():
    """Definition ids restart after each test's truncation; the step's cache by id must not outlive them."""
    from app.workflow import steps

    FAIL["record"] = False
    yield
    steps._definitions.clear()


def xml_v1() -> bytes:
    return DIAGRAM.read_bytes()


def xml_with_check() -> bytes:
    text = DIAGRAM.read_text()
    text = text.replace('<bpmn:sequenceFlow id="Flow_3" sourceRef="WaitPayment" targetRef="Record" />', CHECK_TASK)
    text = text.replace('<bpmn:incoming>Flow_3</bpmn:incoming>\n      <bpmn:outgoing>Flow_4</bpmn:outgoing>',
                        '<bpmn:incoming>Flow_3b</bpmn:incoming>\n      <bpmn:outgoing>Flow_4</bpmn:outgoing>')
    assert "Flow_3b" in text
    return text.encode()


def xml_review_for(group: str) -> bytes:
    return DIAGRAM.read_text().replace('name="Review the request" camunda:candidateGroups="bdc"',
                                       f'name="Review the request" camunda:candidateGroups="{group}"').encode()


def deploy(xml: bytes, actor=SYSTEM):
    result = deployment.deploy(_db.session, actor, xml, "admin_review.bpmn")
    _db.session.commit()
    return result.definition


@pytest.fixture()
def v1(db):
    return deploy(xml_v1())


@pytest.fixture()
def people(db):
    return {
        "admin": builders.user("admin1", roles="admin"),
        "owner": builders.user("owner1", roles="process_owner"),
        "bdc": builders.user("bdc1", roles="bdc"),
        "eitc": builders.user("eitc1", roles="eitc"),
        "unit": builders.user("unit.hp", roles="unit", tenant="huangpu"),
        "unit_xh": builders.user("unit.xh", roles="unit", tenant="xuhui"),
        "op_hp": builders.user("op.hp", roles="district.operator", tenant="huangpu"),
    }


def actor(user) -> Actor:
    return Actor.of(user)


def start(people, who: str = "unit", business_key: str = "REQ-1", **variables) -> ProcessInstance:
    instance = workflow_service.start_instance(_db.session, actor(people[who]), process_key="admin_review",
                                               business_key=business_key, variables={"amount": 500, **variables})
    _db.session.commit()
    return instance


def reload(instance_id: int) -> ProcessInstance:
    _db.session.expire_all()
    return _db.session.scalar(all_tenants(select(ProcessInstance).where(ProcessInstance.id == instance_id)))


def open_tasks(instance_id: int) -> list[HumanTask]:
    return list(_db.session.scalars(all_tenants(select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.status == "open").order_by(HumanTask.created_at))))


def events(instance_id: int) -> list[AuditEvent]:
    return list(_db.session.scalars(all_tenants(select(AuditEvent).where(
        AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq))))


def approve(people, instance_id: int, approved: bool = True) -> None:
    [task] = [t for t in open_tasks(instance_id) if t.element_id == "Review"]
    workflow_service.complete_task(_db.session, actor(people["bdc"]), task.id, {"approved": approved})
    _db.session.commit()
