"""Workflow state <-> JSON, without the spec.

SpiffWorkflow embeds the whole spec in every saved state by default (ENGINE-NOTES: 6.4 KB of
an 11.4 KB instance). The spec lives once per deployed version instead; we leave it out when
saving and hand the live, cached spec object back when loading.
"""
from __future__ import annotations

import json
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.serializer.event_definition import MessageEventDefinitionConverter

from app.workflow.events import MergingMessageEventDefinition

_live_specs: ContextVar[tuple[Any, dict[str, Any]]] = ContextVar("live_specs")


class SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """Like SpiffWorkflow's converter, minus the spec (to_dict) and with the cached one (from_dict)."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        spec, subprocess_specs = _live_specs.get()
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _registry():
    config = dict(CAMUNDA_CONFIG)
    config[BpmnWorkflow] = SpecFreeWorkflowConverter
    config[MergingMessageEventDefinition] = MessageEventDefinitionConverter
    registry = BpmnWorkflowSerializer.configure(config)
    # ENGINE-NOTES: date and Decimal are not serializable until registered. Money stays exact.
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    return registry


class StateSerializer:
    """Serializes workflows to compact JSON strings and back, given the live spec."""

    def __init__(self) -> None:
        self._serializer = BpmnWorkflowSerializer(_registry())

    @property
    def version(self) -> str:
        return self._serializer.VERSION

    def dumps(self, workflow: BpmnWorkflow) -> str:
        registry = self._serializer.registry
        registry._encoder_mode = True
        try:
            dct = registry.convert(workflow)
            # In encoder mode the registry converts only the top of each value; values nested in
            # task data (a script's Decimal, a date) are converted by SpiffWorkflow's encoder class.
            return json.dumps(dct, cls=self._serializer._encoder_cls, separators=(",", ":"), ensure_ascii=False)
        finally:
            registry._encoder_mode = False

    def loads(self, state: str, version: str, spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
        dct = json.loads(state)
        if version != self.version:
            # ENGINE-NOTES: states saved by an older serializer are upgraded on load.
            dct[self._serializer.VERSION_KEY] = version
            self._serializer.migrate(dct)
        token = _live_specs.set((spec, subprocess_specs))
        try:
            return self._serializer.from_dict(dct)
        finally:
            _live_specs.reset(token)

    def data_to_json(self, data: Any) -> Any:
        """Task or workflow data as plain JSON (Decimal and dates as strings), for the API."""
        return json.loads(json.dumps(data, default=_json_default, ensure_ascii=False))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
