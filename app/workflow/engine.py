"""The SpiffWorkflow adapter: build, load, run and dump workflows; read what they wait for.

Nothing here touches the database. ``service`` loads rows, calls these functions inside one
transaction, and writes the results. Specs are parsed once per diagram digest and cached.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from app.workflow import events
from app.workflow.parser import ParsedDiagram, parse_diagram
from app.workflow.serializer import StateSerializer

# ENGINE-NOTES: the task iterator stops at depth 1000; a handler loop must stay bounded too.
MAX_SERVICE_ROUNDS = 200


class StepError(Exception):
    """A step failed inside the diagram (handler, expression, script): becomes an incident."""

    def __init__(self, message: str, *, task_id: str | None, element_id: str | None,
                 error_type: str, line: int | None = None, bpmn_error: tuple[str, dict] | None = None):
        super().__init__(message)
        self.message = message
        self.task_id = task_id
        self.element_id = element_id
        self.error_type = error_type
        self.line = line
        self.bpmn_error = bpmn_error  # (error code, variables) raised by a handler (handlers.BpmnError)


@dataclass
class OpenUserTask:
    id: str
    element_id: str
    name: str
    extensions: dict[str, Any]
    documentation: str | None
    task: Any  # the live SpiffWorkflow task, for evaluating due dates against its data


@dataclass
class WaitingTimer:
    task_id: str
    element_id: str
    due_at: datetime


@dataclass
class Snapshot:
    """What a workflow is waiting for, computed once after a step."""

    completed: bool
    user_tasks: dict[str, OpenUserTask] = field(default_factory=dict)
    timers: dict[str, WaitingTimer] = field(default_factory=dict)
    errors: list[StepError] = field(default_factory=list)
    external_tasks: list[str] = field(default_factory=list)


@dataclass
class CachedSpec:
    diagram: ParsedDiagram
    key: str = ""  # the cache key: the definition's digest, plus its callees' keys (callees.py)

    @property
    def spec(self):
        return self.diagram.spec

    @property
    def subprocess_specs(self):
        return self.diagram.subprocess_specs


def callee_resolver(callees: Mapping[str, CachedSpec]) -> Callable[[str], Any]:
    """``resolve`` for parse_diagram: each callee's main spec, and what it calls or embeds itself."""
    specs: dict[str, Any] = {}
    for name, cached in callees.items():
        specs[name] = cached.spec
        for inner, spec in cached.subprocess_specs.items():
            specs.setdefault(inner, spec)
    return specs.get


class SpecCache:
    """Parsed specs by digest. Parsing costs milliseconds; a step must not pay it."""

    def __init__(self) -> None:
        self._specs: dict[str, CachedSpec] = {}
        self._lock = threading.Lock()

    def get(self, digest: str, xml: str | bytes, filename: str,
            callees: Mapping[str, CachedSpec] | None = None) -> CachedSpec:
        """``callees``: the specs of processes this diagram calls from other files, by process id."""
        key = digest + "".join(f"|{name}={callees[name].key}" for name in sorted(callees or {}))
        cached = self._specs.get(key)
        if cached is None:
            raw = xml.encode() if isinstance(xml, str) else xml
            cached = CachedSpec(parse_diagram(raw, filename, resolve=callee_resolver(callees or {})), key)
            with self._lock:
                self._specs[key] = cached
        return cached


class _EngineClock(datetime):
    """``datetime`` for SpiffWorkflow's timer module, whose ``now()`` reads :mod:`app.clock`:
    with a controlled clock (tests, simulations) a timer is due exactly when the scheduler's
    clock says so, not when the wall clock does."""

    @classmethod
    def now(cls, tz=None):
        from app import clock

        current = clock.now()
        return current.astimezone(tz) if tz is not None else current


def use_app_clock() -> None:
    """Point SpiffWorkflow's timers at the app clock (idempotent; called once by init_engine)."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

    spiff_timer.datetime = _EngineClock


def _utc(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def task_extensions(task) -> dict[str, Any]:
    return getattr(task.task_spec, "extensions", None) or {}


def timer_definition(task) -> TimerEventDefinition | None:
    """The timer a waiting task waits for: its own, or (SpiffWorkflow 3.2.0) the one an event-based
    gateway holds for its timer branch — the gateway waits with a MultipleEventDefinition and keeps
    that timer's due time in its own internal data."""
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition):
        return definition
    if isinstance(definition, MultipleEventDefinition):
        # Validation allows one timer per event-based gateway: they would share one due time.
        return next((d for d in definition.event_definitions if isinstance(d, TimerEventDefinition)), None)
    return None


def timer_element_id(task, definition: TimerEventDefinition) -> str:
    """The timer event's id; for an event-based gateway, the id of its timer branch (the gateway
    connects its branches in the order of its event definitions)."""
    gateway = getattr(task.task_spec, "event_definition", None)
    if isinstance(gateway, MultipleEventDefinition):
        index = next(i for i, d in enumerate(gateway.event_definitions) if d is definition)
        return task.task_spec.outputs[index].bpmn_id
    return task.task_spec.bpmn_id


def is_external(task) -> bool:
    ext = task_extensions(task)
    return bool(ext.get("topic")) and ext.get("type", "external") == "external"


class Engine:
    """Stateless between calls apart from caches; one per app."""

    def __init__(self, script_engine_factory: Callable[[], Any]):
        self.specs = SpecCache()
        self.serializer = StateSerializer()
        self._script_engine_factory = script_engine_factory
        self._local = threading.local()

    @property
    def script_engine(self):
        # The restricted engine keeps per-evaluation state; one per thread keeps threads apart.
        engine = getattr(self._local, "script_engine", None)
        if engine is None:
            engine = self._local.script_engine = self._script_engine_factory()
        return engine

    # -- building and persisting ------------------------------------------------------------
    def new_workflow(self, cached: CachedSpec, variables: dict[str, Any]) -> BpmnWorkflow:
        workflow = BpmnWorkflow(cached.spec, cached.subprocess_specs, script_engine=self.script_engine)
        workflow.data.update(variables)
        # Variables given at start are visible to the first tasks, as Camunda users expect.
        workflow.task_tree.data.update(variables)
        for child in workflow.task_tree.children:
            child.data.update(variables)
        return workflow

    def load(self, cached: CachedSpec, state: str, version: str) -> BpmnWorkflow:
        workflow = self.serializer.loads(state, version, cached.spec, cached.subprocess_specs)
        workflow.script_engine = self.script_engine
        return workflow

    def dump(self, workflow: BpmnWorkflow) -> str:
        return self.serializer.dumps(workflow)

    # -- running --------------------------------------------------------------------------------
    def run(self, workflow: BpmnWorkflow, call_handler: Callable[[Any], dict | None]) -> list[StepError]:
        """Run engine steps and external service tasks until the workflow waits on people,
        timers or messages. Returns the errors met (tasks left in ERROR or STARTED)."""
        errors: list[StepError] = []
        failed: set[str] = set()
        for _ in range(MAX_SERVICE_ROUNDS):
            try:
                workflow.do_engine_steps()
            except SpiffWorkflowException as exc:
                errors.append(self._step_error(exc))
                break
            pending = [t for t in workflow.get_tasks(state=TaskState.STARTED)
                       if is_external(t) and str(t.id) not in failed]
            if not pending:
                break
            for task in pending:
                try:
                    result = call_handler(task)
                except StepError as exc:
                    if exc.bpmn_error is not None and events.throw_error(task, *exc.bpmn_error):
                        continue  # an error boundary event took over; the next round runs its path
                    failed.add(str(task.id))
                    errors.append(exc)
                    if exc.bpmn_error is not None:
                        exc.message = f"BPMN error {exc.bpmn_error[0]!r} is not caught: {exc.message}"
                    continue
                if result:
                    task.data.update(result)
                task.complete()
        else:
            errors.append(StepError("too many service-task rounds in one step (a loop without a wait state?)",
                                    task_id=None, element_id=None, error_type="LoopLimit"))
        return errors

    def _step_error(self, exc: Exception) -> StepError:
        task = getattr(exc, "task", None)
        return StepError(
            str(getattr(exc, "message", None) or exc),
            task_id=str(task.id) if task is not None else None,
            element_id=task.task_spec.bpmn_id if task is not None else None,
            error_type=getattr(exc, "error_type", None) or type(exc).__name__,
            line=getattr(exc, "line_number", None) or None,
        )

    def complete_user_task(self, workflow: BpmnWorkflow, task_id: str, data: dict[str, Any]) -> Any:
        task = self.find_ready_user_task(workflow, task_id)
        if task is None:
            return None
        task.data.update(data)
        task.run()
        return task

    def find_ready_user_task(self, workflow: BpmnWorkflow, task_id: str):
        for task in workflow.get_tasks(state=TaskState.READY, manual=True):
            if str(task.id) == task_id:
                return task
        return None

    def send_message(self, workflow: BpmnWorkflow, name: str, payload: dict[str, Any]) -> bool:
        """Deliver a message or signal named ``name``; False when nothing waits for it (409)."""
        return events.deliver(workflow, name, payload)

    def fire_timer(self, workflow: BpmnWorkflow, task_id: str) -> bool:
        """Mark one waiting timer as due, whatever the wall clock says: the timer row is the
        truth and the scheduler decided it is due. Then refresh (ENGINE-NOTES: refresh_timers
        before do_engine_steps, or a fired boundary event can stay READY)."""
        for task in workflow.get_tasks(state=TaskState.WAITING):
            if str(task.id) != task_id:
                continue
            definition = timer_definition(task)
            if isinstance(definition, CycleTimerEventDefinition):
                value = task._get_internal_data("event_value")
                if not value or not value.get("cycles"):
                    return False
                due = datetime.fromisoformat(value["next"])
                now = spiff_timer.datetime.now(UTC)  # the clock the cycle is compared with
                value["next"] = (now - timedelta(seconds=1)).isoformat()
                task._set_internal_data(event_value=value)
                workflow.refresh_timers()
                # SpiffWorkflow counts the next occurrence from the moved "next"; keep the schedule
                # anchored to the due time instead (R3/PT1H: +1 h, +2 h, +3 h), unless that is
                # already past (the scheduler was down): then one period from now, not a burst.
                value = task._get_internal_data("event_value")
                if value and value.get("cycles"):
                    period = timedelta(seconds=value["duration"])
                    anchored = due + period
                    value["next"] = (anchored if anchored > now else now + period).isoformat()
                    task._set_internal_data(event_value=value)
                return True
            if definition is None:
                return False
            task._set_internal_data(event_fired=True)
            workflow.refresh_timers()
            return True
        return False

    # -- reading ---------------------------------------------------------------------------------
    def snapshot(self, workflow: BpmnWorkflow) -> Snapshot:
        snap = Snapshot(completed=workflow.completed)
        # One walk of the task tree for the three kinds of waiting (it is a step's largest tree walk).
        for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
            spec = task.task_spec
            if task.state == TaskState.READY:
                if spec.manual:
                    snap.user_tasks[str(task.id)] = OpenUserTask(
                        id=str(task.id), element_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
                        extensions=task_extensions(task), documentation=getattr(spec, "documentation", None),
                        task=task,
                    )
            elif task.state == TaskState.WAITING:
                definition = timer_definition(task)
                if definition is None:
                    continue
                value = definition.details(task).value
                if isinstance(value, str):
                    snap.timers[str(task.id)] = WaitingTimer(str(task.id), timer_element_id(task, definition),
                                                             _utc(value))
            elif is_external(task):
                snap.external_tasks.append(str(task.id))
        return snap

    def variables(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        """The process variables as a person thinks of them: the data of the active tasks
        merged over the workflow's, or the final data once it has completed."""
        merged: dict[str, Any] = dict(workflow.data)
        if workflow.last_task is not None:
            merged.update(workflow.last_task.data)
        for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
            merged.update(task.data)
        return merged

    def completed_element_ids(self, workflow: BpmnWorkflow) -> list[str]:
        # ENGINE-NOTES: get_tasks(state=COMPLETED) misses some under a waiting parent.
        seen: list[str] = []
        for task in workflow.get_tasks():
            if task.has_state(TaskState.COMPLETED) and task.task_spec.bpmn_id and task.task_spec.bpmn_id not in seen:
                seen.append(task.task_spec.bpmn_id)
        return seen

    def taken_pairs(self, workflow: BpmnWorkflow) -> list[tuple[str, str]]:
        """(source, target) element ids of every step taken, for drawing the path. Sequence-flow
        ids are not kept (ENGINE-NOTES): ``ParsedDiagram.flow_ids`` maps these pairs back to them.
        Internal tasks without an element (boundary-event splits) are looked through."""
        pairs: list[tuple[str, str]] = []
        for task in workflow.get_tasks():
            target = task.task_spec.bpmn_id
            if not target or task.has_state(TaskState.PREDICTED_MASK | TaskState.CANCELLED):
                continue
            parent = task.parent
            while parent is not None and not parent.task_spec.bpmn_id:
                parent = parent.parent
            if parent is not None and parent.has_state(TaskState.COMPLETED):
                pair = (parent.task_spec.bpmn_id, target)
                if pair not in pairs:
                    pairs.append(pair)
        return pairs

    def active_element_ids(self, workflow: BpmnWorkflow) -> list[str]:
        active: list[str] = []
        for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED
                                       | TaskState.ERROR):
            bpmn_id = task.task_spec.bpmn_id
            if bpmn_id and bpmn_id not in active:
                active.append(bpmn_id)
        return active

    def retry(self, workflow: BpmnWorkflow, task_id: str) -> bool:
        """Put a failed task back to run again (ENGINE-NOTES: reset_from_task_id)."""
        for task in workflow.get_tasks(state=TaskState.ERROR | TaskState.STARTED):
            if str(task.id) == task_id:
                data = dict(task.data)
                workflow.reset_from_task_id(task.id)
                reset = workflow.get_task_from_id(task.id)
                reset.data.update(data)  # ENGINE-NOTES: data passed to the reset is overwritten
                return True
        return False
