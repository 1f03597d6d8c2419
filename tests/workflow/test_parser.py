"""Parsing Camunda Modeler diagrams, and running the sample in memory with the restricted engine."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from app.workflow.expressions import RestrictedScriptEngine
from app.workflow.parser import DiagramError, parse_diagram

DIAGRAMS = Path(__file__).parent / "diagrams"
SAMPLE = DIAGRAMS / "quota_request.bpmn"


@pytest.fixture(scope="module")
def xml() -> bytes:
    return SAMPLE.read_bytes()


@pytest.fixture(scope="module")
def diagram(xml):
    return parse_diagram(xml, SAMPLE.name)


def spec_of(diagram, bpmn_id):
    return diagram.spec.task_specs[bpmn_id]


def test_main_process_and_metadata(diagram):
    assert diagram.key == "quota_request"
    assert diagram.name == "Quota request"
    assert diagram.process_ids == ("quota_request",)
    assert diagram.spec is diagram.specs
    assert diagram.subprocess_specs == {}
    assert diagram.unresolved_calls == frozenset()
    assert diagram.form_ids == {"quota_request", "quota_review"}
    assert len(diagram.digest) == 64


def test_digest_ignores_line_endings_and_attribute_order(xml, diagram):
    crlf = xml.replace(b"\n", b"\r\n")
    reordered = xml.replace(b'name="Quota request" isExecutable="true"', b'isExecutable="true" name="Quota request"')
    assert reordered != xml
    assert parse_diagram(crlf, "x.bpmn").digest == diagram.digest
    assert parse_diagram(reordered, "x.bpmn").digest == diagram.digest
    changed = xml.replace(b"Review request", b"Review the request")
    assert parse_diagram(changed, "x.bpmn").digest != diagram.digest


def test_user_task_keeps_every_camunda_attribute(diagram):
    assert spec_of(diagram, "Activity_Review").extensions == {
        "documentation": "M.20: the district operator reviews the request within 3 working days",
        "properties": {"sla": "3 working days"},
        "assignee": None,
        "candidateGroups": ["district.operator", "bdc"],
        "candidateUsers": ["alice", "bob"],
        "dueDate": "${workdays(3)}",
        "followUpDate": "P1D",
        "priority": "60",
        "formRef": "quota_review",
        "formRefBinding": "latest",
        "formKey": None,
    }
    submit = spec_of(diagram, "Activity_Submit").extensions
    assert submit["candidateGroups"] == ["unit"]
    assert submit["formRef"] == "quota_request"


def test_service_tasks_keep_type_topic_and_documentation(diagram):
    allocate = spec_of(diagram, "Activity_Allocate").extensions
    assert allocate == {"documentation": "M.21: allocation follows approval", "type": "external",
                        "topic": "quota.allocate"}
    assert spec_of(diagram, "Activity_Remind").extensions["topic"] == "notify.reminder"
    assert spec_of(diagram, "StartEvent_1").extensions == {"documentation": None}


def test_conditions_are_translated_to_python(diagram):
    gateway = spec_of(diagram, "Gateway_Approved")
    conditions = {target: condition.args[0] for condition, target in gateway.cond_task_specs}
    assert conditions == {"Activity_Allocate": "approved", "Activity_Record": "not approved"}


def test_timers_become_python_string_expressions(diagram):
    def expression(bpmn_id):
        return spec_of(diagram, bpmn_id).event_definition.expression

    assert expression("Event_Remind") == "'PT24H'"  # bare literal, quoted
    assert spec_of(diagram, "Event_Remind").cancel_activity is False
    assert expression("Event_Expire") == "iso_duration(timedelta(days=review_days))"
    assert spec_of(diagram, "Event_Expire").cancel_activity is True
    # A naive date is made aware in Asia/Shanghai (SpiffWorkflow would use the server's zone).
    assert expression("Event_Cooling") == "'2020-01-01T09:00:00+08:00'"


def test_message_catch_uses_the_camunda_definition(diagram):
    definition = spec_of(diagram, "Event_Vendor").event_definition
    assert isinstance(definition, MessageEventDefinition)
    assert definition.name == "vendor_confirmed"


def test_sequence_flow_ids_by_source_and_target(diagram):
    assert diagram.flow_ids[("Gateway_Approved", "Activity_Allocate")] == "Flow_Yes"
    assert diagram.flow_ids[("Gateway_Approved", "Activity_Record")] == "Flow_No"
    assert diagram.flow_ids[("Event_Remind", "Activity_Remind")] == "Flow_3remind"
    assert len(diagram.flow_ids) == 12


CALLER = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="caller" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call" />
    <bpmn:callActivity id="call" calledElement="%s"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="e" />
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
  <bpmn:process id="helper" isExecutable="true">
    <bpmn:startEvent id="hs"><bpmn:outgoing>hf</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="hf" sourceRef="hs" targetRef="he" />
    <bpmn:endEvent id="he"><bpmn:incoming>hf</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>"""


def test_call_activity_in_the_same_file_and_the_entry_process():
    parsed = parse_diagram(CALLER % b"helper", "caller.bpmn")
    assert parsed.key == "caller"  # the executable process nobody calls
    assert set(parsed.process_ids) == {"caller", "helper"}
    assert set(parsed.subprocess_specs) == {"helper"}


def test_call_activity_resolved_from_other_deployments():
    helper = parse_diagram(CALLER % b"helper", "caller.bpmn").subprocess_specs["helper"]
    asked = []

    def resolve(name):
        asked.append(name)
        return helper if name == "deployed" else None

    # "caller" calls "deployed" (not in the file), so both processes are entry points: refused...
    with pytest.raises(DiagramError, match="several executable processes"):
        parse_diagram(CALLER % b"deployed", "caller.bpmn", resolve=resolve)
    # ...unless the helper is marked non-executable, as Camunda Modeler does for a second pool.
    xml = (CALLER % b"deployed").replace(b'id="helper" isExecutable="true"', b'id="helper" isExecutable="false"')
    parsed = parse_diagram(xml, "caller.bpmn", resolve=resolve)
    assert parsed.subprocess_specs == {"deployed": helper} and asked == ["deployed"]
    assert parse_diagram(xml.replace(b'"deployed"', b'"elsewhere"'), "c.bpmn", resolve=resolve).unresolved_calls == {
        "elsewhere"}


def test_reserved_ids_are_a_diagram_error(xml):
    with pytest.raises(DiagramError, match="reserved by SpiffWorkflow") as caught:
        parse_diagram(xml.replace(b'"StartEvent_1"', b'"Start"'), "x.bpmn")
    assert caught.value.element_id == "Start" and caught.value.line == 4


def test_no_executable_process_is_a_diagram_error(xml):
    with pytest.raises(DiagramError, match="no executable process"):
        parse_diagram(xml.replace(b'isExecutable="true"', b'isExecutable="false"'), "x.bpmn")


# -- running the sample in memory with the restricted engine ---------------------------------------

def engine() -> RestrictedScriptEngine:
    # Stand-in for the calendar's workdays(): the real one is injected by the app.
    return RestrictedScriptEngine({"workdays": lambda n, start=None: datetime.now(UTC) + timedelta(days=n)})


def complete_user_task(workflow, bpmn_id, **data):
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert [t.task_spec.bpmn_id for t in ready] == [bpmn_id]
    ready[0].data.update(data)
    ready[0].run()
    workflow.do_engine_steps()
    workflow.refresh_timers()
    workflow.do_engine_steps()


def completed_ids(workflow) -> set[str]:
    return {t.task_spec.bpmn_id for t in workflow.get_tasks() if t.has_state(TaskState.COMPLETED)} - {None}


def start(diagram):
    workflow = BpmnWorkflow(diagram.spec, diagram.subprocess_specs, script_engine=engine())
    workflow.do_engine_steps()
    return workflow


def test_run_approved_path_service_task_message_and_past_timer(diagram):
    workflow = start(diagram)
    complete_user_task(workflow, "Activity_Submit", amount=10, review_days=30)
    waiting = {t.task_spec.bpmn_id: t.task_spec.event_definition.details(t).value
               for t in workflow.get_tasks(state=TaskState.WAITING) if hasattr(t.task_spec, "event_definition")}
    assert set(waiting) == {"Event_Remind", "Event_Expire"}
    remind = datetime.fromisoformat(waiting["Event_Remind"]) - datetime.now(UTC)
    expire = datetime.fromisoformat(waiting["Event_Expire"]) - datetime.now(UTC)
    assert timedelta(hours=23) < remind <= timedelta(hours=24)
    assert timedelta(days=29) < expire <= timedelta(days=30)

    complete_user_task(workflow, "Activity_Review", approved=True)
    started = workflow.get_tasks(state=TaskState.STARTED)
    assert [t.task_spec.extensions["topic"] for t in started] == ["quota.allocate"]
    started[0].data.update({"grant_id": 7})
    started[0].complete()
    workflow.do_engine_steps()
    assert not workflow.completed

    envelope = {"payload": {"vendor": "acme"}, "result_var": "vendor"}
    workflow.send_event(BpmnEvent(MessageEventDefinition("vendor_confirmed"), envelope))
    workflow.do_engine_steps()
    workflow.refresh_timers()
    workflow.do_engine_steps()
    assert workflow.completed
    assert workflow.last_task.data == {"amount": 10, "review_days": 30, "approved": True, "grant_id": 7,
                                       "vendor": {"vendor": "acme"}}
    assert {"Activity_Allocate", "Event_Vendor", "Event_Cooling", "Event_Allocated"} <= completed_ids(workflow)
    assert "Activity_Record" not in completed_ids(workflow)


def test_run_rejected_path_runs_the_script_with_decimal(diagram):
    from decimal import Decimal

    workflow = start(diagram)
    complete_user_task(workflow, "Activity_Submit", amount=10, review_days=30)
    complete_user_task(workflow, "Activity_Review", approved=False)
    assert workflow.completed
    assert workflow.last_task.data["fee"] == Decimal("25.00")
    assert workflow.last_task.data["outcome"] == "rejected"
    assert {"Activity_Record", "Event_Rejected"} <= completed_ids(workflow)


def test_run_interrupting_timer_computed_by_an_expression(diagram):
    workflow = start(diagram)
    complete_user_task(workflow, "Activity_Submit", amount=10, review_days=0)  # timedelta(0): due now
    assert workflow.completed
    assert "Event_Expired" in completed_ids(workflow)
    assert "Activity_Review" not in completed_ids(workflow)
