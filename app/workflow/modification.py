"""Repairs an admin makes inside a workflow: move a token, edit variables, migrate to a new version.

Pure engine work on a loaded ``BpmnWorkflow``; ``operations`` wraps each in one audited step.
Every change is checked by saving the result and loading it again with the spec it will be
stored against, so a repair that would leave an instance unloadable is refused, not persisted.

Migration follows SpiffWorkflow's diff utilities (``SpiffWorkflow.bpmn.util.diff``); the policy
of when it is safe is ours (ENGINE-NOTES "Runtime"), and deliberately conservative:

- no element the instance has already run, or is running or failing now, may have changed
  (for history, only its outgoing/incoming flows may differ: the path taken stays the path taken);
- no element the instance has reached (done, active or cancelled) may have been removed;
- every subprocess already started must still exist.

Tokens that wait (user tasks, timers, messages) are re-predicted against the new version; a
waiting timer whose definition did not change keeps its due time, and waiting tasks keep their data.
"""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins import (
    BoundaryEventMixin,
    EventSubprocessMixin,
    InclusiveGatewayMixin,
    ParallelGatewayMixin,
    StartEventMixin,
)
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState

from app.workflow.engine import CachedSpec, Engine

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
RUNNING_OR_FAILED = TaskState.STARTED | TaskState.ERROR
PREDICTED = TaskState.PREDICTED_MASK
NOT_REACHED = TaskState.PREDICTED_MASK | TaskState.FUTURE
FLOW_ONLY = frozenset({"inputs", "outputs"})


class ModificationError(ValueError):
    """The repair cannot be made; the message says why, for the admin."""


# -- reading ------------------------------------------------------------------------------------
@dataclass
class Element:
    id: str
    name: str
    kind: str


def elements(cached: CachedSpec) -> list[Element]:
    """The top-level elements of a diagram, for choosing where a token may go."""
    found = []
    for spec in cached.spec.task_specs.values():
        if spec.bpmn_id and _target_refusal(spec) is None:
            found.append(Element(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, type(spec).__name__))
    return sorted(found, key=lambda e: (e.name, e.id))


def waiting_messages(workflow: Any) -> list[str]:
    """Names of the messages the instance waits for (the admin's "send a message" choices)."""
    names = {getattr(e, "name", None) for e in workflow.waiting_events() if getattr(e, "event_type", "")
             .endswith("MessageEventDefinition")}
    return sorted(n for n in names if n)


def movable_sources(workflow: Any) -> list[str]:
    """Elements of the main process where a token waits that an admin may move."""
    found = [t.task_spec.bpmn_id for t in workflow.get_tasks(state=ACTIVE)
             if t.task_spec.bpmn_id and t.workflow is workflow and not isinstance(t.task_spec, BoundaryEventMixin)]
    return list(dict.fromkeys(found))


def error_element_ids(workflow: Any) -> list[str]:
    return sorted({t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.ERROR) if t.task_spec.bpmn_id})


# -- checking a result --------------------------------------------------------------------------
def verify_reloads(engine: Engine, workflow: Any, cached: CachedSpec) -> None:
    """Save and reload against ``cached``: whatever cannot be reloaded must not be stored."""
    try:
        engine.load(cached, engine.dump(workflow), engine.serializer.version)
    except Exception as exc:  # any failure: the repair is refused and nothing is stored
        raise ModificationError(f"the result could not be saved and reloaded: {type(exc).__name__}: {exc}")


# -- variables ----------------------------------------------------------------------------------
def set_variables(engine: Engine, workflow: Any, values: dict[str, Any], unset: list[str]) -> dict[str, Any]:
    """Change process variables where the engine reads them next: the data of every active token
    (and the workflow's own data where it already holds the name). Returns {name: {old, new}}."""
    before = engine.variables(workflow)
    holders = [t for t in workflow.get_tasks(state=ACTIVE)]
    if not holders:
        raise ModificationError("no token is waiting: there is nowhere to change variables")
    # engine.variables() also reads the last completed task: an unset name must leave it too.
    last = [workflow.last_task.data] if workflow.last_task is not None else []
    for holder in [*(t.data for t in holders), workflow.data, *last]:
        for name in unset:
            holder.pop(name, None)
    for task in holders:
        task.data.update(deepcopy(values))
    for name in set(values) & set(workflow.data):
        workflow.data[name] = deepcopy(values[name])
    changes: dict[str, Any] = {}
    for name in [*values, *unset]:
        old, new = before.get(name), values.get(name)
        if name in before or name in values:
            changes[name] = {"old": engine.serializer.data_to_json(old),
                             "new": engine.serializer.data_to_json(new) if name in values else None}
    return changes


# -- moving a token -----------------------------------------------------------------------------
@dataclass
class Move:
    source: str
    target: str
    cancelled_task_ids: list[str] = field(default_factory=list)


def _target_refusal(spec: Any) -> str | None:
    if isinstance(spec, StartEventMixin):
        return "a start event cannot receive a token"
    if isinstance(spec, BoundaryEventMixin):
        return "a boundary event fires from its task; move the token to the task instead"
    if isinstance(spec, ParallelGatewayMixin | InclusiveGatewayMixin):
        return "a joining gateway waits for other tokens; move the token past it"
    if isinstance(spec, EventSubprocessMixin):
        return "an event subprocess starts from its event"
    return None


def move_token(workflow: Any, source: str, target: str) -> Move:
    """Cancel the token at element ``source`` and start one before element ``target``
    (Camunda: "cancel activity" + "start before activity"). The new token carries the data
    the cancelled one had. Top-level elements only; other tokens are not touched."""
    tokens = [t for t in workflow.get_tasks(state=ACTIVE) if t.task_spec.bpmn_id == source
              and t.workflow is workflow and not isinstance(t.task_spec, BoundaryEventMixin)]
    if not tokens:
        raise ModificationError(f"no token waits at {source} in the main process")
    if len(tokens) > 1:
        raise ModificationError(f"{len(tokens)} tokens wait at {source} (a multi-instance activity?): "
                                "moving one of several is not supported")
    spec = workflow.spec.task_specs.get(target)
    if spec is None or not spec.bpmn_id:
        raise ModificationError(f"{target} is not an element of the main process")
    refusal = _target_refusal(spec)
    if refusal:
        raise ModificationError(f"{target}: {refusal}")
    # An element with boundary events is entered through SpiffWorkflow's split before it.
    entry = workflow.spec.task_specs.get(f"{target}.BoundaryEventSplit", spec)
    token = tokens[0]
    anchor = token.parent if isinstance(token.parent.task_spec, BoundaryEventSplit) else token
    parent = anchor.parent
    carried = deepcopy(token.data)
    active = [t for t in anchor if t.has_state(ACTIVE)]
    anchor.cancel()
    for task in active:
        if task.has_state(TaskState.ERROR):  # cancel() leaves finished (failed) tasks as they are
            task._set_state(TaskState.CANCELLED)
    new = parent._add_child(entry, TaskState.FUTURE)
    entry._predict(new, mask=PREDICTED | TaskState.FUTURE)
    # The new token inherits its parent's data when it becomes ready; lend the parent the
    # carried data for that moment so history (the parent's own data) stays as it was.
    history, parent.data = parent.data, carried
    try:
        entry._update(new)
    finally:
        parent.data = history
    return Move(source, target, [str(t.id) for t in active])


# -- migration ----------------------------------------------------------------------------------
@cache
def _diff_registry():
    # Diffs compare task specs through the serializer registry; our diagrams use SpiffWorkflow's
    # plain ServiceTask, which the Camunda configuration does not register.
    config = dict(CAMUNDA_CONFIG)
    config[ServiceTask] = BpmnTaskSpecConverter
    return BpmnWorkflowSerializer.configure(config)


@dataclass
class MigrationCheck:
    ok: bool
    reasons: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)   # element ids reached by the instance that changed
    added: list[str] = field(default_factory=list)     # element ids new in the target version


@dataclass
class _Plan:
    check: MigrationCheck
    diffs: list[tuple[Any, Any, Any]] = field(default_factory=list)  # (owner, WorkflowDiff, new spec)


def _describe(task: Any) -> str:
    return f"{task.task_spec.bpmn_id or task.task_spec.name} ({TaskState.get_name(task.state)})"


def _plan(workflow: Any, new: CachedSpec) -> _Plan:
    # What diff_workflow does, keeping each SpecDiff: its comparisons say *what* changed.
    registry = _diff_registry()
    reasons: list[str] = []
    diffs, spec_diffs = [], []
    try:
        pairs = [(workflow, new.spec)]
        for sub in workflow.subprocesses.values():
            target = new.subprocess_specs.get(sub.spec.name)
            if target is None:
                reasons.append(f"the started subprocess {sub.spec.name} does not exist in the new version")
            else:
                pairs.append((sub, target))
        for owner, target in pairs:
            spec_diff = SpecDiff(registry, owner.spec, target)
            diffs.append((owner, WorkflowDiff(owner, spec_diff), target))
            spec_diffs.append(spec_diff)
    except Exception as exc:  # a spec the registry cannot compare: refuse rather than guess
        return _Plan(MigrationCheck(False, [f"the versions cannot be compared: {type(exc).__name__}: {exc}"]))
    changed: set[str] = set()
    for (_owner, diff, _target), spec_diff in zip(diffs, spec_diffs, strict=True):
        for task in diff.removed:
            if not task.has_state(NOT_REACHED):
                reasons.append(f"{_describe(task)} was removed in the new version")
        for task in diff.changed:
            what = set(spec_diff.changed.get(task.task_spec, ()))
            if task.has_state(RUNNING_OR_FAILED) or (task.has_state(TaskState.COMPLETED) and what - FLOW_ONLY):
                reasons.append(f"{_describe(task)} changed in the new version: {', '.join(sorted(what))}")
            if not task.has_state(NOT_REACHED) and task.task_spec.bpmn_id:
                changed.add(task.task_spec.bpmn_id)
    added = sorted({s.bpmn_id for s in new.spec.task_specs.values()
                    if s.bpmn_id and s.name not in workflow.spec.task_specs})
    return _Plan(MigrationCheck(not reasons, list(dict.fromkeys(reasons)), sorted(changed), added), diffs)


def check_migration(engine: Engine, workflow: Any, new: CachedSpec) -> MigrationCheck:
    """Could this (loaded) workflow move to ``new``? Tried for real on the loaded copy, which
    the caller then discards: a preview that says yes has already migrated and reloaded once."""
    plan = _plan(workflow, new)
    if plan.check.ok:
        try:
            _apply(engine, workflow, new, plan)
        except ModificationError as exc:
            plan.check.ok, plan.check.reasons = False, [str(exc)]
    return plan.check


def migrate(engine: Engine, workflow: Any, new: CachedSpec) -> MigrationCheck:
    """Move ``workflow`` onto ``new`` in place, or raise ModificationError with the reasons."""
    plan = _plan(workflow, new)
    if not plan.check.ok:
        raise ModificationError("; ".join(plan.check.reasons))
    _apply(engine, workflow, new, plan)
    return plan.check


def _apply(engine: Engine, workflow: Any, new: CachedSpec, plan: _Plan) -> None:
    changed_specs = {t.task_spec for _owner, diff, _target in plan.diffs for t in diff.changed}
    # migrate_workflow resets waiting branches (fresh internal data, data from the parent):
    # keep what a person expects to survive an upgrade: the tokens' data and timers' due times.
    keep: dict[Any, tuple[dict, dict | None]] = {}
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
        timer = isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)
        internal = dict(task.internal_data) if timer and task.task_spec not in changed_specs else None
        keep[task.id] = (deepcopy(task.data), internal)
    try:
        for owner, diff, target in plan.diffs:
            migrate_workflow(diff, owner, target)
        workflow.subprocess_specs = new.subprocess_specs
    except Exception as exc:  # SpiffWorkflow raises assorted errors on trees it cannot re-predict
        raise ModificationError(f"SpiffWorkflow could not migrate the instance: {type(exc).__name__}: {exc}")
    for task in workflow.get_tasks():
        if task.id in keep:
            data, internal = keep[task.id]
            task.data = data
            if internal is not None:
                task.internal_data.update(internal)
    verify_reloads(engine, workflow, new)
