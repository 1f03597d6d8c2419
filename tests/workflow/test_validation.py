"""Deploy-time validation: one verdict per diagram, problems naming element, line and reason."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.accounts.roles import ROLES
from app.workflow import handlers
from app.workflow.cli import bpmn_cli
from app.workflow.validation import Problem, validate_diagram

SAMPLE = Path(__file__).parent / "diagrams" / "quota_request.bpmn"
FORMS = {"quota_request", "quota_review"}
ALLOCATE_FLOW = '<bpmn:sequenceFlow id="Flow_6allocated" sourceRef="Activity_Allocate" targetRef="Event_Vendor" />'
TOPICS = {"notify.reminder", "quota.allocate"}


@pytest.fixture(scope="module")
def xml() -> bytes:
    return SAMPLE.read_bytes()


def validate(data: bytes, **kwargs):
    options = {"form_exists": FORMS.__contains__, "topics": TOPICS, "roles": ROLES}
    options.update(kwargs)
    return validate_diagram(data, "quota_request.bpmn", **options)


def mutate(xml: bytes, old: str, new: str) -> bytes:
    assert old.encode() in xml, old
    return xml.replace(old.encode(), new.encode(), 1)


def refused(verdict, element_id, reason):
    assert not verdict.ok and verdict.diagram is None
    matches = [p for p in verdict.problems if p.element_id == element_id and reason in p.reason]
    assert matches, [str(p) for p in verdict.problems]
    assert all(p.line for p in matches)
    return matches[0]


def test_the_sample_is_accepted(xml):
    verdict = validate(xml)
    assert verdict.ok, [str(p) for p in verdict.problems]
    assert verdict.problems == []
    assert verdict.diagram.key == "quota_request"


def test_topics_may_be_a_predicate(xml):
    assert validate(xml, topics=lambda topic: topic.startswith(("quota.", "notify."))).ok


def test_problem_reads_like_a_compiler_message():
    problem = Problem("a.bpmn", 12, "Task_1", "userTask", "no form")
    assert str(problem) == "a.bpmn:12: [Task_1] no form"
    assert str(Problem("a.bpmn", None, None, None, "empty")) == "a.bpmn: empty"


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&xxe;</bpmn:definitions>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"""


@pytest.mark.parametrize(("payload", "line", "reason"), [
    (XXE, 2, "DTD"),
    (XXE.replace(b"<!DOCTYPE definitions [", b"").replace(b"]>\n", b"\n"), 2, "entities"),
    (LAUGHS, 2, "DTD"),
    (XXE.decode().encode("utf-16"), None, "DTD"),
])
def test_entity_attacks_are_refused(payload, line, reason):
    verdict = validate(payload)
    assert not verdict.ok
    assert reason in verdict.problems[0].reason
    if line:
        assert verdict.problems[0].line == line


def test_malformed_xml_names_the_line(xml):
    broken = mutate(xml, "</bpmn:userTask>", "</bpmn:userTsk>")
    problem = validate(broken).problems[0]
    assert problem.line == 11 and "malformed XML at line 11" in problem.reason


@pytest.mark.parametrize("payload", [b"", b"   ", b"\x00\xff\xfe garbage", b"<a/>", b"<?xml version='1.0'?><a>", None,
                                     "<str/>", b"x" * (5 * 1024 * 1024 + 1)])
def test_anything_gets_a_verdict(payload):
    verdict = validate(payload)
    assert not verdict.ok and len(verdict.problems) == 1
    assert verdict.problems[0].file == "quota_request.bpmn"
    assert "Traceback" not in verdict.problems[0].reason


def test_non_bpmn_root_is_refused():
    assert "not a BPMN 2.0 file" in validate(b"<html><body/></html>").problems[0].reason


def test_unknown_element_is_refused(xml):
    data = mutate(xml, '<bpmn:exclusiveGateway id="Gateway_Approved" name="Approved?">',
                  '<bpmn:complexGateway id="Gateway_Approved" name="Approved?">')
    data = mutate(data, "</bpmn:exclusiveGateway>", "</bpmn:complexGateway>")
    refused(validate(data), "Gateway_Approved", "complex gateways are not supported")


@pytest.mark.parametrize(("condition", "reason"), [
    ("${approved &amp;&amp;}", "SyntaxError"),
    ("${__import__('os').system('id')}", '"__import__" is an invalid variable name'),
    ("${().__class__.__bases__[0].__subclasses__()}", "__class__"),
    ("${open('/etc/passwd')}", '"open" is not available'),
    ("${exec('x=1')}", "Exec calls are not allowed"),
])
def test_bad_conditions_are_refused_at_deploy_time(xml, condition, reason):
    data = mutate(xml, "${approved}</bpmn:conditionExpression>", f"{condition}</bpmn:conditionExpression>")
    problem = refused(validate(data), "Flow_Yes", reason)
    assert problem.element_type == "sequenceFlow"


def test_missing_form_is_refused(xml):
    refused(validate(xml, form_exists=lambda form_id: form_id != "quota_review"), "Activity_Review",
            "no form with id 'quota_review'")


def test_unknown_topic_is_refused(xml):
    refused(validate(xml, topics={"notify.reminder"}), "Activity_Allocate",
            "no handler is registered for topic 'quota.allocate'")


def test_unknown_candidate_group_is_refused(xml):
    data = mutate(xml, 'camunda:candidateGroups="district.operator, bdc"',
                  'camunda:candidateGroups="district.operator, boss"')
    refused(validate(data), "Activity_Review", "candidate group 'boss' is not a role")


def test_user_task_nobody_can_do_is_refused(xml):
    data = mutate(xml, ' camunda:candidateGroups="unit"', "")
    refused(validate(data), "Activity_Submit", "nobody could do this task")


@pytest.mark.parametrize(("old", "new", "element_id", "reason"), [
    ('scriptFormat="python"', 'scriptFormat="groovy"', "Activity_Record", "would be run as Python"),
    ("outcome = 'rejected' if not approved else 'approved'", "import os", "Activity_Record",
     "imports are not allowed"),
    ("PT24H</bpmn:timeDuration>", "PT24H</bpmn:timeDuration><bpmn:timeDate>2026-01-01</bpmn:timeDate>",
     "Event_Remind", "exactly one of timeDate, timeDuration or timeCycle"),
    ("PT24H", "every day", "Event_Remind", "not an ISO 8601 duration"),
    ("PT24H", "${timedelta(hours=__x)}", "Event_Remind", "invalid variable name"),
    ('camunda:dueDate="${workdays(3)}"', 'camunda:dueDate="${workdays(3}"', "Activity_Review", "camunda:dueDate"),
    ('camunda:priority="60"', 'camunda:priority="high"', "Activity_Review", "camunda:priority"),
    ('camunda:type="external" camunda:topic="quota.allocate"', 'camunda:class="org.acme.Allocate"',
     "Activity_Allocate", "Java delegates are not run"),
    ('<bpmn:sequenceFlow id="Flow_1submitted" sourceRef="Activity_Submit" targetRef="Activity_Review" />',
     '<bpmn:sequenceFlow id="Flow_1submitted" sourceRef="Activity_Submit" targetRef="Activity_Review">'
     '<bpmn:conditionExpression>${ok}</bpmn:conditionExpression></bpmn:sequenceFlow>',
     "Flow_1submitted", "is ignored by the engine"),
    ('<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${!approved}</bpmn:conditionExpression>', "",
     "Flow_No", "needs a condition"),
    ('messageRef="Message_Vendor"', 'messageRef="Message_Nope"', "Event_Vendor", "does not name a bpmn:message"),
    ('<bpmn:timerEventDefinition id="TimerEventDefinition_2live">',
     '<bpmn:linkEventDefinition id="Link_1" name="x" /><bpmn:timerEventDefinition id="TimerEventDefinition_2live">',
     "Event_Cooling", "several definitions"),
    ('<bpmn:documentation>M.21', '<bpmn:extensionElements><camunda:executionListener event="start" '
     'class="org.acme.L" /></bpmn:extensionElements><bpmn:documentation>M.21', "Activity_Allocate",
     "execution listeners are not run"),
])
def test_other_refusals(xml, old, new, element_id, reason):
    refused(validate(mutate(xml, old, new)), element_id, reason)


@pytest.mark.parametrize("reserved", ["Start", "End"])
def test_ids_spiffworkflow_reserves_are_refused(xml, reserved):
    # SpiffWorkflow's own start/end tasks are named so; an element with that id would silently vanish.
    verdict = validate(xml.replace(b'"StartEvent_1"', f'"{reserved}"'.encode()))
    refused(verdict, reserved, "is reserved by SpiffWorkflow")


def test_untyped_task_is_refused(xml):
    data = mutate(xml, '<bpmn:userTask id="Activity_Submit"', '<bpmn:task id="Activity_Submit"')
    data = mutate(data, "</bpmn:userTask>", "</bpmn:task>")
    refused(validate(data), "Activity_Submit", "untyped task")


def test_no_executable_process(xml):
    verdict = validate(xml.replace(b'isExecutable="true"', b'isExecutable="false"'))
    assert [p.reason.split(" (")[0] for p in verdict.problems] == ["no executable process"]
    assert verdict.problems[0].element_id == "quota_request"


def test_camunda_8_diagrams_are_refused_as_such(xml):
    data = mutate(xml, 'modeler:executionPlatform="Camunda Platform"', 'modeler:executionPlatform="Camunda Cloud"')
    refused(validate(data), "Definitions_0quota", "Camunda 8")


def test_call_activities_need_a_known_process(xml):
    call = ('<bpmn:callActivity id="Activity_Call" calledElement="vendor_onboarding">'
            '<bpmn:incoming>Flow_6allocated</bpmn:incoming><bpmn:outgoing>Flow_X</bpmn:outgoing></bpmn:callActivity>'
            '<bpmn:sequenceFlow id="Flow_X" sourceRef="Activity_Call" targetRef="Event_Vendor" />')
    data = mutate(xml, ALLOCATE_FLOW, ALLOCATE_FLOW.replace("Event_Vendor", "Activity_Call") + call)
    refused(validate(data), "Activity_Call", "neither in this file nor deployed")
    verdict = validate(data, known_process_keys={"vendor_onboarding"})
    assert verdict.ok, [str(p) for p in verdict.problems]
    assert verdict.diagram.unresolved_calls == {"vendor_onboarding"}


def test_unknown_functions_are_refused_when_offered_functions_are_given(xml):
    assert not validate(xml, functions=set()).ok
    assert validate(xml, functions={"workdays"}).ok


def test_spiffworkflow_parse_errors_become_problems(xml):
    # Two start events inside an embedded subprocess: only SpiffWorkflow's parser objects.
    sub = ('<bpmn:subProcess id="Sub"><bpmn:incoming>Flow_6allocated</bpmn:incoming>'
           '<bpmn:outgoing>Flow_S</bpmn:outgoing><bpmn:startEvent id="S1" /><bpmn:startEvent id="S2" />'
           '<bpmn:endEvent id="SE" /></bpmn:subProcess>'
           '<bpmn:sequenceFlow id="Flow_S" sourceRef="Sub" targetRef="Event_Vendor" />')
    data = mutate(xml, ALLOCATE_FLOW, ALLOCATE_FLOW.replace("Event_Vendor", "Sub") + sub)
    refused(validate(data), "Sub", "Exactly one start event")


# -- flask bpmn validate ---------------------------------------------------------------------------

@pytest.fixture()
def cli_setup(app, tmp_path, monkeypatch):
    forms = tmp_path / "forms"
    forms.mkdir()
    for form_id in FORMS:
        (forms / f"{form_id}.form").write_text(json.dumps({"type": "default", "id": form_id, "components": []}))
    (forms / "broken.form").write_text("{not json")
    monkeypatch.setitem(app.config, "FORMS_DIR", str(forms))
    monkeypatch.setattr(handlers, "_registry", dict(handlers._registry))  # registrations end with the test
    for topic in TOPICS:
        if handlers.get_handler(topic) is None:
            handlers.register(topic, lambda ctx: None)
    return app.test_cli_runner(), tmp_path


def test_cli_accepts_the_sample(cli_setup):
    runner, _ = cli_setup
    result = runner.invoke(bpmn_cli, ["validate", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "ok (process quota_request)" in result.output


def test_cli_prints_problems_and_fails(cli_setup, xml):
    runner, tmp_path = cli_setup
    folder = tmp_path / "bpmn"
    folder.mkdir()
    (folder / "good.bpmn").write_bytes(xml)
    (folder / "bad.bpmn").write_bytes(mutate(xml, 'camunda:candidateGroups="unit"', 'camunda:candidateGroups="boss"'))
    result = runner.invoke(bpmn_cli, ["validate", str(folder)])
    assert result.exit_code == 1
    assert f"{folder / 'bad.bpmn'}:8: [Activity_Submit] candidate group 'boss' is not a role" in result.output
    assert f"{folder / 'good.bpmn'}: ok" in result.output
