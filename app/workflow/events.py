"""Messages and signals from outside: what an instance waits for, and delivering to it.

CONTRACT: ``POST /process-instances/{id}/messages`` with ``{"name", "variables"}`` delivers a
BPMN message — and, under the same name, a signal — to that one instance; 409 when nothing
waits for the name. The variables become process variables, as when Camunda 7 correlates a
message with variables. Two SpiffWorkflow 3.2.0 details this module hides:

- Camunda's message event definition puts the payload under ``<ElementId>_Response`` instead of
  merging it (``camunda:resultVariable`` is refused at deploy time, so nothing asks for that);
  ``MergingMessageEventDefinition`` merges it. The parser builds it; specs are never serialized
  (serializer.py) but the class is registered in case an event holding it is.
- An event-based gateway waits itself, holding its branches' definitions in a
  ``MultipleEventDefinition``; ``workflow.waiting_events()`` then reports no name at all.

A signal reaches the catch events of the instance it is delivered to (and, when thrown inside a
diagram, those of the same instance): signals are not broadcast to other instances.

``throw_error`` turns a handler's ``handlers.BpmnError`` into a BPMN error at its service task.
"""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition, SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState


class MergingMessageEventDefinition(MessageEventDefinition):
    """A Camunda message catch whose payload (a dict of variables) is merged into the task data."""

    def update_internal_data(self, my_task, event) -> None:
        # Keep the envelope as sent (the base class names a default result variable in it).
        my_task.internal_data[self.name] = dict(event.payload or {})

    def update_task_data(self, my_task) -> None:
        envelope = my_task.internal_data.get(self.name) or {}
        payload, result_var = envelope.get("payload"), envelope.get("result_var") or self.result_var
        if result_var is None and isinstance(payload, dict):
            my_task.data.update(payload)
        else:
            my_task.data[result_var or f"{my_task.task_spec.name}_Response"] = payload

    def __eq__(self, other: object) -> bool:
        # Delivered events carry Camunda's class (serializable everywhere); match on it and the name.
        return isinstance(other, MessageEventDefinition) and self.name == other.name


def _definitions(task) -> list:
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [definition] if definition is not None else []


def waiting_names(workflow: BpmnWorkflow) -> dict[str, set[str]]:
    """Message and signal names the instance waits for now → {"message"} / {"signal"} / both."""
    names: dict[str, set[str]] = {}
    for task in list(workflow.event_manager.tasks.values()):
        if task.state != TaskState.WAITING:
            continue
        for definition in _definitions(task):
            if isinstance(definition, MessageEventDefinition):
                names.setdefault(definition.name, set()).add("message")
            elif isinstance(definition, SignalEventDefinition):
                names.setdefault(definition.name, set()).add("signal")
    return names


def deliver(workflow: BpmnWorkflow, name: str, variables: dict[str, Any]) -> bool:
    """Deliver ``name`` as a message and/or signal, whichever the instance waits for.
    False when it waits for neither (the caller answers 409)."""
    kinds = waiting_names(workflow).get(name)
    if not kinds:
        return False
    if "message" in kinds:
        # ENGINE-NOTES: Camunda-parsed workflows want Camunda's class and this envelope.
        event = BpmnEvent(MessageEventDefinition(name), {"payload": dict(variables), "result_var": None})
        workflow.send_event(event)
    if "signal" in kinds:
        workflow.send_event(BpmnEvent(SignalEventDefinition(name), dict(variables)))
    return True


def throw_error(task, code: str, variables: dict[str, Any]) -> bool:
    """Throw a handler's BPMN error from ``task``: the first waiting error boundary event that catches
    ``code``, on the task itself or on an enclosing subprocess or call activity, takes it.
    False when none does (the caller records an incident).

    Not ``workflow.catch``: SpiffWorkflow would offer the error to every error boundary event of the
    workflow, including those on unrelated activities of parallel branches.
    """
    event = BpmnEvent(ErrorEventDefinition(code, code=code), dict(variables))
    current = task
    while current is not None:
        parent = current.parent
        if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit):
            for boundary in parent.children:
                spec = boundary.task_spec
                if (boundary is not current and isinstance(getattr(spec, "event_definition", None),
                                                           ErrorEventDefinition)
                        and spec.catches(boundary, event)):
                    spec.catch(boundary, event)
                    spec._update(boundary)
                    return True
        outer = current.workflow.parent_task_id
        current = current.workflow.top_workflow.get_task_from_id(outer) if outer is not None else None
    return False
