"""Every BPMN element the engine claims to support, end to end through the persisted service layer.

Each test deploys a small diagram from ``elements/`` with ``deployment.deploy``, drives it with
``service.start_instance / complete_task / send_message / fire_timer`` (committing after each
step, as the API does) and asserts the derived rows — open HumanTask rows, pending Timer rows,
Incident rows, the instance status — and the element ids ``service.instance_detail`` reports.
Call activities and the elements refused at deploy time are in test_elements_deploy.py.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app import clock
from app.errors import Conflict
from app.security import SYSTEM, Actor
from app.workflow import deployment, service
from tests import builders
from tests.engine import conftest as ec
from tests.engine.elements_support import (
    CALLS,
    complete,
    complete_one,
    deploy,
    detail,
    fire,
    incidents,
    open_ids,
    send,
    start,
    status,
    tasks,
    timers,
)

# -- tasks ----------------------------------------------------------------------------------------

def test_script_manual_and_service_tasks(db, people):
    deploy("tasks.bpmn")
    instance = start(db, people, "el_tasks", unit_price="19.99", qty=3)
    assert status(db, instance) == "running"
    [row] = tasks(db, instance.id)
    assert (row.element_id, row.candidate_groups) == ("CheckGoods", ["bdc"])  # a manual task waits for a person
    shown = detail(db, instance)
    assert shown["variables"]["total"] == "59.97" and shown["variables"]["vat"] == "7.80"
    assert shown["active_element_ids"] == ["CheckGoods"]
    assert {"StartEvent_1", "Price"} <= set(shown["completed_element_ids"])
    complete(db, people, row, checked=True)
    assert status(db, instance) == "completed"
    [(name, data)] = CALLS
    assert name == "book" and data["gross"] == Decimal("67.77") and data["checked"] is True
    final = detail(db, instance)
    assert final["variables"]["booking"] == f"B-{instance.id}" and final["variables"]["gross"] == "67.77"
    assert {"CheckGoods", "Book", "EndEvent_1"} <= set(final["completed_element_ids"])
    assert final["active_element_ids"] == [] and tasks(db, instance.id, "completed") == [row]


# -- gateways -------------------------------------------------------------------------------------

def test_exclusive_gateway_condition_and_default_flow(db, people):
    deploy("exclusive.bpmn")
    big = start(db, people, "el_exclusive", amount=5000)
    assert open_ids(db, big.id) == ["BigReview"]
    small = start(db, people, "el_exclusive", amount=10)
    assert status(db, small) == "completed" and tasks(db, small.id) == []
    completed = detail(db, small)["completed_element_ids"]
    assert "EndSmall" in completed and "BigReview" not in completed


def test_parallel_split_opens_both_and_join_waits_for_both(db, people):
    deploy("parallel.bpmn")
    instance = start(db, people, "el_parallel")
    assert open_ids(db, instance.id) == ["CheckA", "CheckB"]
    assert sorted(detail(db, instance)["active_element_ids"]) == ["CheckA", "CheckB"]
    complete_one(db, people, instance, "CheckA", a_ok=True)
    assert open_ids(db, instance.id) == ["CheckB"]  # the join waits
    complete_one(db, people, instance, "CheckB", "eitc", b_ok=True)
    assert open_ids(db, instance.id) == ["Approve"]
    complete_one(db, people, instance, "Approve")
    assert status(db, instance) == "completed"
    assert {"Join", "Approve"} <= set(detail(db, instance)["completed_element_ids"])


@pytest.mark.parametrize(("need_a", "need_b", "opened"), [
    (True, False, ["DoA"]),
    (False, True, ["DoB"]),
    (True, True, ["DoA", "DoB"]),
    (False, False, ["Final"]),
])
def test_inclusive_gateway_takes_every_true_branch_and_joins_them(db, people, need_a, need_b, opened):
    deploy("inclusive.bpmn")
    instance = start(db, people, "el_inclusive", need_a=need_a, need_b=need_b)
    assert open_ids(db, instance.id) == opened
    if "DoA" in opened:
        complete_one(db, people, instance, "DoA")
    if "DoB" in opened:
        assert open_ids(db, instance.id) == ["DoB"]  # the join waits for the other branch taken
        complete_one(db, people, instance, "DoB", "eitc")
    assert open_ids(db, instance.id) == ["Final"]
    complete_one(db, people, instance, "Final")
    assert status(db, instance) == "completed"
    assert detail(db, instance)["variables"].get("skipped", False) is (not need_a and not need_b)


def test_event_based_gateway_message_wins(db, people):
    deploy("event_gateway.bpmn")
    instance = start(db, people, "el_event_gateway")
    [timer] = timers(db, instance.id)
    assert timer.element_id == "NoReply"
    assert detail(db, instance)["active_element_ids"] == ["AwaitReply"]  # the gateway waits for both
    send(db, people, instance, "reply_received", answer="yes")
    assert timers(db, instance.id) == [] and [t.status for t in timers(db, instance.id, "cancelled")] == ["cancelled"]
    assert open_ids(db, instance.id) == ["ReadReply"]
    assert not service.fire_timer(db.session, timer.id)
    assert detail(db, instance)["variables"]["answer"] == "yes"
    complete_one(db, people, instance, "ReadReply")
    assert status(db, instance) == "completed"
    assert "EndReplied" in detail(db, instance)["completed_element_ids"]


def test_event_based_gateway_timer_wins(db, people):
    deploy("event_gateway.bpmn")
    instance = start(db, people, "el_event_gateway")
    [timer] = timers(db, instance.id)
    fire(db, timer)
    assert status(db, instance) == "completed"
    completed = detail(db, instance)["completed_element_ids"]
    assert "EndTimedOut" in completed and "Reply" not in completed
    with pytest.raises(Conflict):
        service.send_message(db.session, Actor.of(people["bdc"]), instance.id, "reply_received")


# -- timers ---------------------------------------------------------------------------------------

def test_intermediate_timer_then_cycle_boundary_fires_three_times(db, people):
    deploy("timers.bpmn")
    before = clock.now()
    instance = start(db, people, "el_timers")
    [cool] = timers(db, instance.id)
    assert cool.element_id == "CoolingOff" and tasks(db, instance.id) == []
    assert abs((cool.due_at - before - timedelta(hours=2)).total_seconds()) < 5
    fire(db, cool)
    assert open_ids(db, instance.id) == ["Work"]
    [nag] = timers(db, instance.id)
    assert nag.element_id == "Nag"
    first_due = nag.due_at
    dues = []
    for round_ in range(1, 4):
        [nag] = timers(db, instance.id)
        dues.append(nag.due_at)
        fire(db, nag)
        assert [c[0] for c in CALLS] == ["nudge"] * round_
        assert open_ids(db, instance.id) == ["Work"]  # non-interrupting: the task stays
    assert dues == [first_due + timedelta(hours=n) for n in range(3)]
    assert timers(db, instance.id) == []  # R3: no fourth occurrence
    assert [t.status for t in timers(db, instance.id, "fired")] == ["fired", "fired"]  # CoolingOff, Nag
    complete_one(db, people, instance, "Work")
    assert status(db, instance) == "completed"
    assert len(CALLS) == 3


# -- messages and signals ---------------------------------------------------------------------------

def test_boundary_message_interrupts_the_user_task(db, people):
    deploy("messages.bpmn")
    instance = start(db, people, "el_messages")
    [draft] = tasks(db, instance.id)
    send(db, people, instance, "request_withdrawn", reason="changed mind")
    assert tasks(db, instance.id, "cancelled") == [draft] and open_ids(db, instance.id) == ["Archive"]
    assert detail(db, instance)["variables"]["reason"] == "changed mind"  # message variables are process variables
    with pytest.raises(Conflict):  # the boundary event went with the task
        service.send_message(db.session, Actor.of(people["bdc"]), instance.id, "request_withdrawn")
    db.session.rollback()
    complete_one(db, people, instance, "Archive", "eitc")
    assert status(db, instance) == "completed"
    assert "EndWithdrawn" in detail(db, instance)["completed_element_ids"]


def test_intermediate_message_after_the_task_carries_variables(db, people):
    deploy("messages.bpmn")
    instance = start(db, people, "el_messages")
    complete_one(db, people, instance, "Draft")
    assert tasks(db, instance.id) == [] and detail(db, instance)["active_element_ids"] == ["Signed"]
    with pytest.raises(Conflict):  # the boundary message no longer waits
        service.send_message(db.session, Actor.of(people["bdc"]), instance.id, "request_withdrawn")
    db.session.rollback()
    send(db, people, instance, "contract_signed", signed_by="vendor")
    assert open_ids(db, instance.id) == ["File"]
    assert detail(db, instance)["variables"]["signed_by"] == "vendor"


def test_signals_boundary_catch_and_throw_within_the_instance(db, people):
    deploy("signals.bpmn")
    instance = start(db, people, "el_signals")
    assert open_ids(db, instance.id) == ["Draft"]
    assert sorted(detail(db, instance)["active_element_ids"]) == ["Draft", "Recall", "WaitReady"]
    with pytest.raises(Conflict):  # go_ahead is caught only after draft_ready
        service.send_message(db.session, Actor.of(people["bdc"]), instance.id, "go_ahead")
    db.session.rollback()
    complete_one(db, people, instance, "Draft")  # throws draft_ready, caught by the other branch
    assert tasks(db, instance.id) == [] and detail(db, instance)["active_element_ids"] == ["WaitGo"]
    assert {"Announce", "EndDrafted", "WaitReady"} <= set(detail(db, instance)["completed_element_ids"])
    send(db, people, instance, "go_ahead", channel="web")
    assert open_ids(db, instance.id) == ["Publish"]
    assert detail(db, instance)["variables"]["channel"] == "web"
    complete_one(db, people, instance, "Publish")
    assert status(db, instance) == "completed"


def test_boundary_signal_interrupts_the_user_task(db, people):
    deploy("signals.bpmn")
    instance = start(db, people, "el_signals")
    [draft] = tasks(db, instance.id)
    send(db, people, instance, "recall")
    assert tasks(db, instance.id, "cancelled") == [draft] and open_ids(db, instance.id) == ["Recalled"]
    active = detail(db, instance)["active_element_ids"]
    assert "WaitReady" in active and "Draft" not in active  # the other branch still waits


def test_signal_through_the_messages_endpoint(client, db, people, auth):
    deploy("signals.bpmn")
    instance = start(db, people, "el_signals")
    headers = auth.headers("bdc1")
    url = f"/api/v1/process-instances/{instance.id}/messages"
    early = client.post(url, headers=headers, json={"name": "go_ahead"})
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "message_not_expected"
    recalled = client.post(url, headers=headers, json={"name": "recall", "variables": {"why": "typo"}})
    assert recalled.status_code == 200, recalled.get_json()
    body = recalled.get_json()
    assert "Recalled" in body["active_element_ids"] and body["variables"]["why"] == "typo"


# -- errors and subprocesses ---------------------------------------------------------------------

def test_user_task_inside_an_embedded_subprocess(db, people):
    deploy("error.bpmn")
    instance = start(db, people, "el_error")
    [inspect] = tasks(db, instance.id)
    assert (inspect.element_id, inspect.candidate_groups, inspect.process_key) == ("Inspect", ["bdc"], "el_error")
    assert set(detail(db, instance)["active_element_ids"]) >= {"Inspection", "Inspect"}
    complete(db, people, inspect, passed=True)
    assert open_ids(db, instance.id) == ["Accept"]  # the subprocess finished
    shown = detail(db, instance)
    assert {"Inspection", "InspectionDone"} <= set(shown["completed_element_ids"]) and shown["variables"]["passed"]
    complete_one(db, people, instance, "Accept")
    assert status(db, instance) == "completed"


def test_error_end_event_in_a_subprocess_is_caught_by_the_boundary(db, people):
    deploy("error.bpmn")
    instance = start(db, people, "el_error")
    complete_one(db, people, instance, "Inspect", passed=False)
    assert open_ids(db, instance.id) == ["Rework"]
    shown = detail(db, instance)
    assert {"InspectionFailed", "CatchFailure"} <= set(shown["completed_element_ids"])
    assert "Accept" not in shown["completed_element_ids"] and incidents(db, instance.id) == []
    complete_one(db, people, instance, "Rework", "eitc")
    assert status(db, instance) == "completed"


def allocations(db) -> list:
    from app.accounts.models import Organisation

    return db.session.scalars(select(Organisation.code).where(Organisation.code.like("alloc-%"))).all()


def test_handler_bpmn_error_is_caught_by_the_error_boundary_event(db, people):
    deploy("handler_error.bpmn")
    allocated = start(db, people, "el_handler_error", available=5, wanted=3)
    assert status(db, allocated) == "completed" and CALLS[0][0] == "allocate"
    short = start(db, people, "el_handler_error", available=1, wanted=3)
    assert status(db, short) == "running" and open_ids(db, short.id) == ["Waitlist"]
    assert incidents(db, short.id) == [] and not short.has_incident
    shown = detail(db, short)
    assert shown["variables"]["shortfall"] == 2 and "allocated" not in shown["variables"]
    assert "NoQuota" in shown["completed_element_ids"] and "EndAllocated" not in shown["completed_element_ids"]
    assert shown["active_element_ids"] == ["Waitlist"]  # the service task was interrupted
    assert allocations(db) == [f"alloc-{allocated.id}"]  # the raising handler's write was rolled back
    kinds = [(e.kind, e.details.get("code")) for e in service.history(db.session, SYSTEM, short.id)]
    assert ("bpmn_error", "no_quota") in kinds
    complete_one(db, people, short, "Waitlist")
    assert status(db, short) == "completed"


def test_handler_bpmn_error_inside_a_subprocess_reaches_the_subprocess_boundary(db, people):
    xml = (ec.HERE / "elements/error.bpmn").read_bytes().replace(
        b'<bpmn:userTask id="Inspect" name="Inspect on site" camunda:candidateGroups="bdc" />',
        b'<bpmn:serviceTask id="Inspect" camunda:type="external" camunda:topic="test.elements.allocate" />')
    deployment.deploy(db.session, SYSTEM, xml, "error.bpmn")
    db.session.commit()
    instance = start(db, people, "el_error", available=0, wanted=1, code="inspection_failed")
    assert open_ids(db, instance.id) == ["Rework"] and incidents(db, instance.id) == []
    assert detail(db, instance)["variables"]["shortfall"] == 1


def test_handler_bpmn_error_nobody_catches_is_an_incident(db, people):
    deploy("handler_error.bpmn")
    instance = start(db, people, "el_handler_error", available=1, wanted=3, code="no_budget")
    assert status(db, instance) == "running" and instance.has_incident and tasks(db, instance.id) == []
    [incident] = incidents(db, instance.id)
    assert (incident.element_id, incident.error_type) == ("Allocate", "BpmnError")
    assert "'no_budget' is not caught" in incident.message


# -- multi-instance ---------------------------------------------------------------------------------

def test_parallel_then_sequential_multi_instance_user_tasks(db, people):
    deploy("multi.bpmn")
    people = {**people, "bdc2": builders.user("bdc2", roles="bdc"), "bdc3": builders.user("bdc3", roles="bdc"),
              "eitc2": builders.user("eitc2", roles="eitc")}
    instance = start(db, people, "el_multi", reviewers=["bdc1", "bdc2", "bdc3"], signers=["eitc1", "eitc2"])
    reviews = tasks(db, instance.id)
    assert [t.element_id for t in reviews] == ["Reviews"] * 3  # one row per element of the collection
    assert sorted(t.assignee for t in reviews) == ["bdc1", "bdc2", "bdc3"]  # ${reviewer} per instance
    for done, row in enumerate(reviews, start=1):
        complete(db, people, row, row.assignee.replace("bdc1", "bdc"), score=done)
        assert [t.element_id for t in tasks(db, instance.id)] == ["Reviews"] * (3 - done) or done == 3
    for signer in ("eitc1", "eitc2"):
        [row] = tasks(db, instance.id)  # sequential: one at a time
        assert (row.element_id, row.assignee) == ("Signatures", signer)
        complete(db, people, row, signer.replace("eitc1", "eitc"), signed=True)
    assert status(db, instance) == "completed"
    assert detail(db, instance)["variables"]["reviewers"] == ["bdc1", "bdc2", "bdc3"]


# -- cancel ---------------------------------------------------------------------------------------

def test_cancel_mid_way_closes_every_derived_row(db, people):
    deploy("cancel.bpmn")
    instance = start(db, people, "el_cancel")
    assert open_ids(db, instance.id) == ["TaskA", "TaskB"]
    assert sorted(t.element_id for t in timers(db, instance.id)) == ["Hold", "LateA"]
    complete_one(db, people, instance, "TaskB", "eitc")
    service.cancel_instance(db.session, Actor.of(people["admin"]), instance.id, "withdrawn")
    db.session.commit()
    assert status(db, instance) == "cancelled" and instance.ended_at is not None
    assert tasks(db, instance.id) == [] and timers(db, instance.id) == []
    assert [t.element_id for t in tasks(db, instance.id, "cancelled")] == ["TaskA"]
    assert sorted(t.element_id for t in timers(db, instance.id, "cancelled")) == ["Hold", "LateA"]
    assert detail(db, instance)["active_element_ids"] == []
    history = [(e.kind, e.element_id) for e in service.history(db.session, SYSTEM, instance.id)]
    assert history == [("started", None), ("task_created", "TaskA"), ("task_created", "TaskB"),
                       ("timer_scheduled", "LateA"), ("timer_scheduled", "Hold"), ("task_completed", "TaskB"),
                       ("cancelled", None), ("task_cancelled", "TaskA")]


def test_terminate_end_event_ends_every_branch(db, people):
    deploy("terminate.bpmn")
    instance = start(db, people, "el_terminate")
    [work] = tasks(db, instance.id)
    [deadline] = timers(db, instance.id)
    fire(db, deadline)
    assert status(db, instance) == "completed"
    assert tasks(db, instance.id, "cancelled") == [work] and timers(db, instance.id) == []
    assert "Terminate" in detail(db, instance)["completed_element_ids"]


def test_a_user_task_for_named_people_reaches_their_inbox_list(db, people):
    # camunda:candidateUsers: the named person finds the task among "offered to me"; a colleague
    # of the same role who is not named does not (the group was dropped for this test).
    from app.inbox import service as inbox_service

    xml = (ec.HERE / "review_chain.bpmn").read_bytes().replace(
        b'<bpmn:userTask id="Review" name="Review the request" camunda:candidateGroups="bdc"',
        b'<bpmn:userTask id="Review" name="Review the request" camunda:candidateUsers="eitc1"')
    deployment.deploy(db.session, SYSTEM, xml, "review_chain.bpmn")
    db.session.commit()
    instance = start(db, people, "review_chain")
    [task] = tasks(db, instance.id)
    offered = inbox_service.list_tasks(db.session, Actor.of(people["eitc"]), scope="candidate")
    assert [t.id for t in offered.items] == [task.id]
    assert inbox_service.list_tasks(db.session, Actor.of(people["bdc"]), scope="candidate").items == []
