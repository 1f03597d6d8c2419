"""Camunda 7 (Platform) diagrams → SpiffWorkflow specs, keeping what Yunguan needs in ``extensions``.

ENGINE-NOTES "Camunda Modeler diagrams": SpiffWorkflow's CamundaParser drops assignee,
candidateGroups/Users, due and follow-up dates, priority, formRef and a service task's topic.
The parsers below keep them in ``task_spec.extensions`` (already serialized, so no custom spec):

- user and manual tasks: assignee, candidateGroups, candidateUsers (lists), dueDate,
  followUpDate, priority, formRef, formRefBinding, formKey (raw text: ``RestrictedScriptEngine
  .due_date`` reads due dates);
- service tasks: type and topic (``camunda:type="external"`` names a registered handler);
- every element: ``documentation`` (the regulation article a step implements) and
  ``properties`` (``camunda:properties``).

Conditions, timers and multi-instance expressions are translated to Python here (expressions.py).
Data objects, data stores, data associations and ioSpecification are drawn, not run — as in
Camunda 7; SpiffWorkflow would otherwise move variables out of task data or demand inputs.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import EventBasedGatewayParser
from SpiffWorkflow.bpmn.parser.ProcessParser import ProcessParser
from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser, GatewayParser
from SpiffWorkflow.bpmn.parser.util import first
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.bpmn.specs.defaults import (
    EventBasedGateway,
    ExclusiveGateway,
    InclusiveGateway,
    ManualTask,
    ParallelGateway,
    ScriptTask,
    ServiceTask,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.camunda.parser import event_parsers as camunda_events
from SpiffWorkflow.camunda.parser import task_spec as camunda_tasks
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser

from app.workflow import xml as safe_xml
from app.workflow.events import MergingMessageEventDefinition
from app.workflow.expressions import ExpressionError, translate, translate_timer, unwrap

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = camunda_tasks.CAMUNDA_MODEL_NS
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}

ASSIGNMENT_ATTRIBUTES = ("assignee", "candidateGroups", "candidateUsers", "dueDate", "followUpDate", "priority")
FORM_ATTRIBUTES = ("formRef", "formRefBinding", "formKey")
LIST_ATTRIBUTES = ("candidateGroups", "candidateUsers")
TIMER_DEFINITIONS = {
    "timeDate": TimeDateEventDefinition,
    "timeDuration": DurationTimerEventDefinition,
    "timeCycle": CycleTimerEventDefinition,
}


class DiagramError(ValueError):
    """A diagram SpiffWorkflow cannot turn into a spec; names the element when it can."""

    def __init__(self, message: str, *, element_id: str | None = None, element_type: str | None = None,
                 line: int | None = None):
        super().__init__(message)
        self.message = message
        self.element_id = element_id
        self.element_type = element_type
        self.line = line


@dataclass(frozen=True)
class ParsedDiagram:
    key: str                                    # the executable process started from this file
    name: str
    process_ids: tuple[str, ...]                # every executable process in the file
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    digest: str                                 # sha256 of the canonical XML (xml.digest)
    flow_ids: dict[tuple[str, str], str]        # (source id, target id) → sequence flow id
    unresolved_calls: frozenset[str] = field(default_factory=frozenset)  # calledElements not found
    form_ids: frozenset[str] = field(default_factory=frozenset)         # camunda:formRef / formKey used
    starter_groups: frozenset[str] = field(default_factory=frozenset)   # camunda:candidateStarterGroups

    @property
    def specs(self) -> BpmnProcessSpec:
        """The main spec under the name the brief used."""
        return self.spec


# SpiffWorkflow names its own task specs like this, and parse_node returns an existing spec of the
# same name instead of parsing the element: an element with such an id silently vanishes.
RESERVED_IDS = frozenset({"Start", "End", "Root", "StartEventSplit", "StartEventJoin"})
RESERVED_SUFFIXES = (".EndJoin", ".BoundaryEventSplit", ".BoundaryEventJoin", " [child]")


def reserved_id_reason(element_id: str | None) -> str | None:
    if element_id and (element_id in RESERVED_IDS or element_id.endswith(RESERVED_SUFFIXES)):
        return (f"the id {element_id!r} is reserved by SpiffWorkflow for its own tasks; rename the element "
                "(Camunda Modeler: General → ID), e.g. StartEvent_1")
    return None


def split_list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def documentation_of(node: etree._Element) -> str | None:
    # Only the element's own documentation: a subprocess must not borrow its first child's.
    texts = [(doc.text or "").strip() for doc in node.xpath("./bpmn:documentation", namespaces=NS)]
    return "\n".join(text for text in texts if text) or None


def _camunda(node: etree._Element, name: str) -> str | None:
    return node.get(f"{{{CAMUNDA_NS}}}{name}")


class _Yunguan:
    """Mixin for every node parser: extensions, translated MI expressions, no data associations."""

    def parse_extensions(self, node=None):
        node = self.node if node is None else node
        extensions: dict = {"documentation": documentation_of(node)}
        properties = node.xpath("./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS)
        if properties:
            extensions["properties"] = {p.get("name"): p.get("value") for p in properties}
        tag = safe_xml.short_tag(node.tag)
        if tag in ("userTask", "manualTask"):
            for name in ASSIGNMENT_ATTRIBUTES + FORM_ATTRIBUTES:
                value = _camunda(node, name)
                extensions[name] = split_list(value) if name in LIST_ATTRIBUTES else value
        elif tag == "serviceTask":
            extensions["type"] = _camunda(node, "type")
            extensions["topic"] = _camunda(node, "topic")
        return extensions

    def parse_incoming_data_references(self):
        return []

    def parse_outgoing_data_references(self):
        return []

    def parse_io_spec(self):
        return None

    def _translated(self, text: str | None, node: etree._Element) -> str | None:
        if text is None:
            return None
        try:
            return translate(text)
        except ExpressionError as exc:
            raise ValidationException(str(exc), node=node, file_name=self.filename) from None

    def _add_multiinstance_task(self, loop_characteristics):
        super()._add_multiinstance_task(loop_characteristics)
        task = self.task
        task.cardinality = self._translated(task.cardinality, loop_characteristics)
        task.condition = self._translated(task.condition, loop_characteristics)
        collection = _camunda(loop_characteristics, "collection")
        if collection is not None:
            name, _ = unwrap(collection)
            if not name.isidentifier():
                raise ValidationException(f"camunda:collection must name a list variable, not {collection!r}",
                                          node=self.node, file_name=self.filename)
            task.data_output = TaskDataReference(name)


class _TimerEvents(_Yunguan):
    def parse_timer_event(self, event):
        name = self.node.get("name", self.node.get("id"))
        description = self.get_event_description(event)
        for kind, definition in TIMER_DEFINITIONS.items():
            found = first(event.xpath(f"./bpmn:{kind}", namespaces=NS))
            if found is not None:
                try:
                    expression = translate_timer(found.text or "", kind)
                except ExpressionError as exc:
                    raise ValidationException(f"{kind}: {exc}", node=self.node, file_name=self.filename) from None
                return definition(name, expression, description=description)
        raise ValidationException("a timer needs a timeDate, timeDuration or timeCycle",
                                  node=self.node, file_name=self.filename)

    def parse_message_event(self, message_event):
        # Delivered variables become process variables (events.py), not <ElementId>_Response.
        parsed = super().parse_message_event(message_event)
        return MergingMessageEventDefinition(parsed.name, parsed.correlation_properties, parsed.expression,
                                             parsed.result_var, description=parsed.description)


class UserTaskParser(_Yunguan, camunda_tasks.UserTaskParser):
    pass


class ManualTaskParser(_Yunguan, camunda_tasks.CamundaTaskParser):
    pass


class ServiceTaskParser(_Yunguan, camunda_tasks.CamundaTaskParser):
    pass


class ScriptTaskParser(_Yunguan, camunda_tasks.CamundaTaskParser):
    def create_task(self):
        script = first(self.xpath("./bpmn:script"))
        if script is None or not (script.text or "").strip():
            self.raise_validation_exception("a script task needs a script")
        return self.spec_class(self.spec, self.bpmn_id, script=script.text, **self.bpmn_attributes)


class SubprocessParser(_Yunguan, camunda_tasks.SubWorkflowParser):
    pass


class CallActivityParser(_Yunguan, camunda_tasks.CallActivityParser):
    pass


class ConditionGatewayParser(_Yunguan, ConditionalGatewayParser):
    def parse_condition(self, sequence_flow):
        return self._translated(super().parse_condition(sequence_flow), sequence_flow)


class ParallelGatewayParser(_Yunguan, GatewayParser):
    pass


class EventGatewayParser(_Yunguan, EventBasedGatewayParser):
    pass


class StartEventParser(_TimerEvents, camunda_events.CamundaStartEventParser):
    pass


class EndEventParser(_TimerEvents, camunda_events.CamundaEndEventParser):
    pass


class CatchEventParser(_TimerEvents, camunda_events.CamundaIntermediateCatchEventParser):
    pass


class ThrowEventParser(_TimerEvents, camunda_events.CamundaIntermediateThrowEventParser):
    pass


class BoundaryEventParser(_TimerEvents, camunda_events.CamundaBoundaryEventParser):
    pass


class YunguanProcessParser(ProcessParser):
    def parse_io_spec(self):
        return None


def _camunda_spec(tag: str) -> type:
    return CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag(tag)][1]


class YunguanParser(CamundaParser):
    OVERRIDE_PARSER_CLASSES: ClassVar[dict] = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (UserTaskParser, _camunda_spec("userTask")),
        full_tag("manualTask"): (ManualTaskParser, ManualTask),
        full_tag("serviceTask"): (ServiceTaskParser, ServiceTask),
        full_tag("scriptTask"): (ScriptTaskParser, ScriptTask),
        full_tag("subProcess"): (SubprocessParser, _camunda_spec("subProcess")),
        full_tag("callActivity"): (CallActivityParser, _camunda_spec("callActivity")),
        full_tag("exclusiveGateway"): (ConditionGatewayParser, ExclusiveGateway),
        full_tag("inclusiveGateway"): (ConditionGatewayParser, InclusiveGateway),
        full_tag("parallelGateway"): (ParallelGatewayParser, ParallelGateway),
        full_tag("eventBasedGateway"): (EventGatewayParser, EventBasedGateway),
        full_tag("startEvent"): (StartEventParser, _camunda_spec("startEvent")),
        full_tag("endEvent"): (EndEventParser, _camunda_spec("endEvent")),
        full_tag("intermediateCatchEvent"): (CatchEventParser, _camunda_spec("intermediateCatchEvent")),
        full_tag("intermediateThrowEvent"): (ThrowEventParser, _camunda_spec("intermediateThrowEvent")),
        full_tag("boundaryEvent"): (BoundaryEventParser, _camunda_spec("boundaryEvent")),
    }
    PROCESS_PARSER_CLASS = YunguanProcessParser

    def _add_data_stores(self, bpmn):
        # Data stores are documentation here (see module docstring); SpiffWorkflow would demand a class.
        return None


def executable_processes(root: etree._Element) -> list[etree._Element]:
    # SpiffWorkflow's rule: a process without isExecutable counts as executable.
    return [p for p in root.xpath("./bpmn:process", namespaces=NS) if p.get("isExecutable", "true") == "true"]


def main_process_id(root: etree._Element) -> str:
    """The process this file starts: the only executable one, or the only one no call activity calls."""
    executable = [p.get("id") for p in executable_processes(root)]
    if not executable:
        names = ", ".join(p.get("id") or "?" for p in root.xpath("./bpmn:process", namespaces=NS)) or "none"
        raise DiagramError(f"no executable process (processes: {names}); set isExecutable=\"true\" "
                           "on the one Yunguan should run")
    if len(executable) == 1:
        return executable[0]
    called = set(root.xpath(".//bpmn:callActivity/@calledElement", namespaces=NS))
    entry = [key for key in executable if key not in called]
    if len(entry) != 1:
        raise DiagramError(f"several executable processes ({', '.join(executable)}); keep one per file, "
                           "or mark the others isExecutable=\"false\"")
    return entry[0]


def flow_ids_of(root: etree._Element) -> dict[tuple[str, str], str]:
    flows: dict[tuple[str, str], str] = {}
    for flow in root.xpath(".//bpmn:sequenceFlow", namespaces=NS):
        flows.setdefault((flow.get("sourceRef"), flow.get("targetRef")), flow.get("id"))
    return flows


def _called_specs(parser: YunguanParser, key: str, resolve: Callable[[str], BpmnProcessSpec | None] | None
                  ) -> tuple[dict[str, BpmnProcessSpec], set[str]]:
    """Embedded subprocesses and call activities reachable from ``key``: in the file, else ``resolve``."""
    found: dict[str, BpmnProcessSpec] = {}
    missing: set[str] = set()
    pending = [parser.get_spec(key)]
    while pending:
        spec = pending.pop()
        for task_spec in spec.task_specs.values():
            name = getattr(task_spec, "spec", None)
            if not isinstance(task_spec, SubWorkflowTask) or name in found or name in missing:
                continue
            sub = parser.get_spec(name, required=False)
            if sub is None and resolve is not None:
                sub = resolve(name)
            if sub is None:
                missing.add(name)
            else:
                found[name] = sub
                pending.append(sub)
    return found, missing


def _line_of(root: etree._Element, element_id: str | None) -> int | None:
    if not element_id:
        return None
    match = first(root.xpath("//*[@id=$id]", id=element_id))
    return match.sourceline if match is not None else None


def parse_tree(tree: etree._ElementTree, filename: str, *,
               resolve: Callable[[str], BpmnProcessSpec | None] | None = None) -> ParsedDiagram:
    """Parse an already safely-read tree (``xml.parse_xml``). Raises DiagramError."""
    root = tree.getroot()
    key = main_process_id(root)
    for element in root.iterfind(".//bpmn:process//*[@id]", NS):
        reason = reserved_id_reason(element.get("id"))
        if reason:
            raise DiagramError(reason, element_id=element.get("id"), element_type=safe_xml.short_tag(element.tag),
                               line=element.sourceline)
    parser = YunguanParser()
    try:
        parser.add_bpmn_xml(tree, filename)
        spec = parser.get_spec(key)
        subprocess_specs, missing = _called_specs(parser, key, resolve)
    except ValidationException as exc:
        element_id = exc.id or None
        message = str(exc)
        if "RecursionError" in message:
            # SpiffWorkflow parses each path recursively: a few hundred elements in a row is its limit.
            message = ("the path through this element is too long for SpiffWorkflow's parser; "
                       "split the process with call activities")
        raise DiagramError(message, element_id=element_id, element_type=exc.tag or None,
                           line=_line_of(root, element_id)) from None
    except (RecursionError, MemoryError):
        raise DiagramError("the diagram is too deeply nested to read") from None
    except Exception as exc:  # SpiffWorkflow's parser raises assorted errors on odd input
        raise DiagramError(f"SpiffWorkflow could not read the diagram: {exc.__class__.__name__}: {exc}") from None
    process = first(root.xpath("./bpmn:process[@id=$id]", namespaces=NS, id=key))
    forms = {value for name in ("formRef", "formKey")
             for value in root.xpath(f".//bpmn:userTask/@camunda:{name}", namespaces=NS)}
    return ParsedDiagram(
        key=key,
        name=(process.get("name") if process is not None else None) or key,
        process_ids=tuple(p.get("id") for p in executable_processes(root)),
        spec=spec,
        subprocess_specs=subprocess_specs,
        digest=safe_xml.digest(tree),
        flow_ids=flow_ids_of(root),
        unresolved_calls=frozenset(missing),
        form_ids=frozenset(forms),
        starter_groups=frozenset(split_list(_camunda(process, "candidateStarterGroups"))),
    )


def parse_diagram(xml: bytes, filename: str, *,
                  resolve: Callable[[str], BpmnProcessSpec | None] | None = None) -> ParsedDiagram:
    """Parse a diagram for running. Call ``validation.validate_diagram`` first to deploy it.

    ``resolve(called_element)`` supplies specs of processes deployed from other files; calls it
    cannot resolve are listed in ``unresolved_calls`` (starting such an instance would fail).
    Raises ``xml.XmlError`` for unreadable XML and ``DiagramError`` for anything else.
    """
    return parse_tree(safe_xml.parse_xml(xml), filename, resolve=resolve)
