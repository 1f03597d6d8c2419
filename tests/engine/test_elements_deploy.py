"""Call activities across files (versions pinned at deploy time, surviving a restart), and the
elements SpiffWorkflow would not run as drawn, refused at deploy time with their reason."""
from __future__ import annotations

import pytest

from app.errors import ValidationFailed
from app.security import SYSTEM
from app.workflow import deployment
from tests.engine import conftest as ec
from tests.engine.elements_support import (
    complete,
    complete_one,
    deploy,
    detail,
    open_ids,
    start,
    status,
    tasks,
)

# -- call activities ------------------------------------------------------------------------------

def test_call_activity_to_a_process_deployed_from_another_file(db, people):
    deploy("callee.bpmn")
    deploy("caller.bpmn")
    instance = start(db, people, "el_caller", amount=21)
    [row] = tasks(db, instance.id)
    assert (row.element_id, row.process_key) == ("CalleeReview", "el_caller")
    assert {"CallIt", "CalleeReview"} <= set(detail(db, instance)["active_element_ids"])
    complete(db, people, row, reviewed=True)
    assert open_ids(db, instance.id) == ["AfterCall"]
    variables = detail(db, instance)["variables"]
    assert (variables["doubled"], variables["reviewed"]) == (42, True)  # all variables in, all out
    complete_one(db, people, instance, "AfterCall", "eitc")
    assert status(db, instance) == "completed"


@pytest.fixture()
def restart(app, monkeypatch):
    """What a restart forgets: the definition cache and the engine's spec cache."""
    from app.workflow import steps
    from app.workflow.engine import Engine

    def forget() -> None:
        steps._definitions.clear()
        factory = app.extensions["yunguan.engine"]._script_engine_factory
        monkeypatch.setitem(app.extensions, "yunguan.engine", Engine(factory))

    return forget


def test_callee_version_is_pinned_when_the_caller_is_deployed(db, people, restart):
    callee_v1 = deploy("callee.bpmn")
    caller_v1 = deploy("caller.bpmn")
    running = start(db, people, "el_caller", amount=21)
    tripled = (ec.HERE / "elements/callee.bpmn").read_bytes().replace(b"amount * 2", b"amount * 3")
    callee_v2 = deployment.deploy(db.session, SYSTEM, tripled, "callee.bpmn").definition
    db.session.commit()
    assert (callee_v1.version, callee_v2.version) == (1, 2)
    restart()  # the running instance rebuilds the callee it started with from the database
    complete_one(db, people, running, "CalleeReview")
    assert detail(db, running)["variables"]["doubled"] == 42 and open_ids(db, running.id) == ["AfterCall"]
    assert start(db, people, "el_caller", amount=21).definition_id == caller_v1.id  # still pinned to v1
    # The unchanged caller, deployed again, becomes a new version pinned to the new callee.
    caller_v2 = deploy("caller.bpmn")
    assert caller_v2.version == 2 and deploy("caller.bpmn").id == caller_v2.id
    newer = start(db, people, "el_caller", amount=21)
    restart()
    complete_one(db, people, newer, "CalleeReview")
    assert detail(db, newer)["variables"]["doubled"] == 63


def test_a_call_to_a_process_not_deployed_is_refused(db):
    with pytest.raises(ValidationFailed) as refused:
        deploy("caller.bpmn")
    assert any("CallIt" in reason and "el_callee" in reason for reason in refused.value.fields["file"])


def test_cli_deploys_callees_before_their_callers(db, runner, tmp_path):
    # Sorted by name the caller comes first; its version must still pin the callee deployed with it.
    (tmp_path / "a_caller.bpmn").write_bytes((ec.HERE / "elements/caller.bpmn").read_bytes())
    (tmp_path / "b_callee.bpmn").write_bytes((ec.HERE / "elements/callee.bpmn").read_bytes())
    result = runner.invoke(args=["bpmn", "deploy", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.index("el_callee v1") < result.output.index("el_caller v1")


# -- refused at deploy time -------------------------------------------------------------------------

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/'
          '20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_refused" '
          'targetNamespace="http://bpmn.io/schema/bpmn">\n')
SIGNAL = '<bpmn:signal id="Signal_s" name="s" />'
MESSAGE = '<bpmn:message id="Message_m" name="m" />'
TIMER = '<bpmn:timerEventDefinition id="{0}Def"><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>'


def refused_diagram(first: str, *, globals_: str = "", more: str = "") -> bytes:
    """A process: the start event ``first`` (id StartEvent_1) → Next (a user task) → EndEvent_1."""
    return (HEADER + globals_ + '<bpmn:process id="el_refused" isExecutable="true">' + first + more +
            '<bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Next" />'
            '<bpmn:userTask id="Next" camunda:candidateGroups="bdc" />'
            '<bpmn:sequenceFlow id="Flow_2" sourceRef="Next" targetRef="EndEvent_1" />'
            '<bpmn:endEvent id="EndEvent_1" /></bpmn:process></bpmn:definitions>').encode()


def throw_after_start(event: str, globals_: str) -> bytes:
    # StartEvent_1 → Thrower → Next → EndEvent_1, by routing the first flow through the thrower.
    return refused_diagram('<bpmn:startEvent id="StartEvent_1" />', globals_=globals_, more=event).replace(
        b'sourceRef="StartEvent_1" targetRef="Next"', b'sourceRef="StartEvent_1" targetRef="Thrower" />'
        b'<bpmn:sequenceFlow id="Flow_t" sourceRef="Thrower" targetRef="Next"')


REFUSALS = {
    "timer start event": (refused_diagram(
        f'<bpmn:startEvent id="StartEvent_1">{TIMER.format("Start")}</bpmn:startEvent>'),
        "StartEvent_1", "would not start instances on schedule"),
    "message start event": (refused_diagram(
        '<bpmn:startEvent id="StartEvent_1"><bpmn:messageEventDefinition messageRef="Message_m" />'
        '</bpmn:startEvent>', globals_=MESSAGE), "StartEvent_1", "would not start an instance when the message"),
    "signal start event": (refused_diagram(
        '<bpmn:startEvent id="StartEvent_1"><bpmn:signalEventDefinition signalRef="Signal_s" />'
        '</bpmn:startEvent>', globals_=SIGNAL), "StartEvent_1", "would not start an instance when the signal"),
    "thrown message": (throw_after_start(
        '<bpmn:intermediateThrowEvent id="Thrower"><bpmn:messageEventDefinition messageRef="Message_m" />'
        '</bpmn:intermediateThrowEvent>', MESSAGE), "Thrower", "a thrown message is not sent anywhere"),
    "message end event": (refused_diagram(
        '<bpmn:startEvent id="StartEvent_1" />', globals_=MESSAGE).replace(
        b'<bpmn:endEvent id="EndEvent_1" />',
        b'<bpmn:endEvent id="EndEvent_1"><bpmn:messageEventDefinition messageRef="Message_m" /></bpmn:endEvent>'),
        "EndEvent_1", "a thrown message is not sent anywhere"),
    "signal nobody catches": (throw_after_start(
        '<bpmn:intermediateThrowEvent id="Thrower"><bpmn:signalEventDefinition signalRef="Signal_s" />'
        '</bpmn:intermediateThrowEvent>', SIGNAL), "Thrower", "no event of this diagram catches it"),
    "cycle on an intermediate timer": (throw_after_start(
        '<bpmn:intermediateCatchEvent id="Thrower"><bpmn:timerEventDefinition><bpmn:timeCycle>R3/PT1H'
        '</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>', ""),
        "Thrower", "cycles are for boundary events"),
    "event-based gateway with two timers": (
        (ec.HERE / "elements/event_gateway.bpmn").read_bytes().replace(
            b'<bpmn:messageEventDefinition id="MessageDef_reply" messageRef="Message_reply" />',
            TIMER.format("Second").encode()),
        "AwaitReply", "may wait for one timer, not 2"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_elements_that_would_not_run_as_drawn_are_refused(db, case):
    xml, element_id, reason = REFUSALS[case]
    with pytest.raises(ValidationFailed) as refused:
        deployment.deploy(db.session, SYSTEM, xml, f"{case}.bpmn")
    reasons = refused.value.fields["file"]
    assert any(f"[{element_id}]" in r and reason in r for r in reasons), reasons


def test_error_end_event_in_the_callee_reaches_the_boundary_on_the_call_activity(db, people):
    error = b'<bpmn:error id="Error_x" name="Refused" errorCode="refused" />'
    callee = (ec.HERE / "elements/callee.bpmn").read_bytes().replace(
        b'<bpmn:endEvent id="EndEvent_1" />',
        b'<bpmn:endEvent id="EndEvent_1"><bpmn:errorEventDefinition errorRef="Error_x" /></bpmn:endEvent>'
    ).replace(b"<bpmn:process ", error + b"<bpmn:process ")
    caller = (ec.HERE / "elements/caller.bpmn").read_bytes().replace(
        b'<bpmn:sequenceFlow id="Flow_2"',
        b'<bpmn:boundaryEvent id="CallRefused" attachedToRef="CallIt"><bpmn:errorEventDefinition '
        b'errorRef="Error_x" /></bpmn:boundaryEvent><bpmn:sequenceFlow id="Flow_e" sourceRef="CallRefused" '
        b'targetRef="Fallback" /><bpmn:userTask id="Fallback" camunda:candidateGroups="bdc" />'
        b'<bpmn:sequenceFlow id="Flow_e2" sourceRef="Fallback" targetRef="EndEvent_1" /><bpmn:sequenceFlow id="Flow_2"'
    ).replace(b"<bpmn:process ", error + b"<bpmn:process ")
    deployment.deploy(db.session, SYSTEM, callee, "callee.bpmn")
    deployment.deploy(db.session, SYSTEM, caller, "caller.bpmn")
    db.session.commit()
    instance = start(db, people, "el_caller", amount=1)
    complete_one(db, people, instance, "CalleeReview")
    assert open_ids(db, instance.id) == ["Fallback"]
    assert "AfterCall" not in detail(db, instance)["completed_element_ids"]


def test_a_subprocess_id_used_by_caller_and_callee_is_refused(db):
    # SpiffWorkflow keeps embedded subprocesses and called processes in one mapping by id.
    deploy("error.bpmn")  # el_error embeds the subprocess "Inspection"
    caller = (ec.HERE / "elements/caller.bpmn").read_bytes().replace(b'calledElement="el_callee"',
                                                                     b'calledElement="el_error"')
    caller = caller.replace(b'<bpmn:userTask id="AfterCall" name="Check the result" camunda:candidateGroups="eitc" />',
                            b'<bpmn:subProcess id="AfterCall"><bpmn:startEvent id="S1" />'
                            b'<bpmn:sequenceFlow id="F1" sourceRef="S1" targetRef="Inspection" />'
                            b'<bpmn:subProcess id="Inspection"><bpmn:startEvent id="S2" /><bpmn:sequenceFlow id="F2" '
                            b'sourceRef="S2" targetRef="E2" /><bpmn:endEvent id="E2" /></bpmn:subProcess>'
                            b'<bpmn:sequenceFlow id="F3" sourceRef="Inspection" targetRef="E1" />'
                            b'<bpmn:endEvent id="E1" /></bpmn:subProcess>')
    with pytest.raises(ValidationFailed) as refused:
        deployment.deploy(db.session, SYSTEM, caller, "caller.bpmn")
    assert any("'Inspection'" in r and "el_error" in r for r in refused.value.fields["file"]), refused.value.fields
