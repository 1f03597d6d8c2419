"""Deploy-time rules for the elements of a diagram (DESIGN §3 "Diagrams stay diagrams").

Anything SpiffWorkflow would ignore silently, run differently from Camunda 7, or only discover
failing inside a running instance is refused here, naming the element and the reason
(ENGINE-NOTES: "Never let a diagram that will fail at run time deploy").
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from lxml import etree

from app.workflow.event_checks import EVENT_DEFINITIONS, EventChecks
from app.workflow.expressions import compile_check, unwrap
from app.workflow.parser import BPMN_NS, CAMUNDA_NS, NS, reserved_id_reason, split_list
from app.workflow.xml import short_tag

ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
MODELER_NS = "http://camunda.org/schema/modeler/1.0"

FLOW_NODES = {
    "startEvent", "endEvent", "userTask", "manualTask", "serviceTask", "scriptTask", "exclusiveGateway",
    "parallelGateway", "inclusiveGateway", "eventBasedGateway", "intermediateCatchEvent",
    "intermediateThrowEvent", "boundaryEvent", "subProcess", "callActivity",
}
# Read by the parser or harmless drawing/documentation: accepted as they are.
ACCEPTED = FLOW_NODES | {
    "process", "laneSet", "lane", "childLaneSet", "flowNodeRef", "incoming", "outgoing", "sequenceFlow",
    "conditionExpression", "textAnnotation", "text", "association", "group", "documentation",
    "extensionElements", "dataObject", "dataObjectReference", "dataStoreReference", "dataState",
    "dataInputAssociation", "dataOutputAssociation", "sourceRef", "targetRef", "transformation",
    "assignment", "from", "to", "ioSpecification", "dataInput", "dataOutput", "inputSet", "outputSet",
    "dataInputRefs", "dataOutputRefs", "inputSetRefs", "outputSetRefs", "optionalInputRefs",
    "optionalOutputRefs", "whileExecutingInputRefs", "whileExecutingOutputRefs", "property", "script",
    "timerEventDefinition", "timeDate", "timeDuration", "timeCycle", "messageEventDefinition",
    "signalEventDefinition", "errorEventDefinition", "terminateEventDefinition",
    "multiInstanceLoopCharacteristics", "loopCardinality", "completionCondition", "potentialOwner",
    "performer", "humanPerformer", "resourceRef", "resourceAssignmentExpression", "formalExpression",
    "resourceParameterBinding", "auditing", "monitoring", "categoryValueRef", "supportedInterfaceRef",
}
REFUSED = {
    "task": "an untyped task would wait for a person no role can see; make it a user, manual, service "
            "or script task",
    "businessRuleTask": "business rule (DMN) tasks are not supported; use a service task with a handler",
    "sendTask": "send tasks are not supported; use a message intermediate throw event or a service task",
    "receiveTask": "receive tasks are not supported; use a message intermediate catch event",
    "complexGateway": "complex gateways are not supported; use exclusive, parallel or inclusive gateways",
    "transaction": "transactions are not supported",
    "adHocSubProcess": "ad-hoc subprocesses are not supported",
    "standardLoopCharacteristics": "loop markers are not supported; use a multi-instance marker or a "
                                   "gateway loop",
    "compensateEventDefinition": "compensation is not supported",
    "escalationEventDefinition": "escalation events are not supported; use an error or message event",
    "conditionalEventDefinition": "conditional events are not supported; use a gateway or a timer",
    "linkEventDefinition": "link events are not supported; draw the sequence flow",
    "cancelEventDefinition": "cancel events are not supported (they belong to transactions)",
    "eventDefinitionRef": "references to global event definitions are not supported",
    "choreography": "choreographies are not run",
    "callChoreography": "choreographies are not run",
    "subChoreography": "choreographies are not run",
    "choreographyTask": "choreographies are not run",
}
GLOBAL_TASKS = {"globalTask", "globalUserTask", "globalManualTask", "globalScriptTask", "globalBusinessRuleTask"}
# Camunda 7 attributes/elements that would be ignored here although Camunda gives them meaning.
IGNORED_BEHAVIOUR = {
    "class": "Java delegates are not run; use camunda:type=\"external\" camunda:topic=\"<handler>\"",
    "delegateExpression": "Java delegates are not run; use camunda:type=\"external\" camunda:topic=\"<handler>\"",
    "resultVariable": "result variables are not set; assign the variable in a script or a handler",
    "formHandlerClass": "form handler classes are not run",
    "initiator": "the initiator variable is not set; the instance records who started it",
    "caseRef": "CMMN cases are not supported",
    "variableMappingClass": "variable mapping classes are not run",
    "variableMappingDelegateExpression": "variable mapping delegates are not run",
}
CAMUNDA_CHILDREN = {
    "taskListener": "task listeners are not run; use a service task",
    "executionListener": "execution listeners are not run; use a service or script task",
    "inputOutput": "input/output mappings are not run; set variables in a script task or a handler",
    "connector": "connectors are not run; use camunda:type=\"external\" with a handler topic",
    "field": "field injection is for Java delegates, which are not run",
    "formData": "generated task forms (camunda:formData) are not supported; reference a Camunda Form "
                "with camunda:formRef",
    "errorEventDefinition": "external-task error mappings are not supported",
}

ELEMENT_CHECKS = {
    "userTask": "check_user_task", "manualTask": "check_manual_task", "serviceTask": "check_service_task",
    "scriptTask": "check_script_task", "callActivity": "check_call_activity", "subProcess": "check_subprocess",
    "multiInstanceLoopCharacteristics": "check_multi_instance", "sequenceFlow": "check_sequence_flow",
    "eventBasedGateway": "check_event_gateway",
}


@dataclass
class Finding:
    element: etree._Element | None
    reason: str


@dataclass
class Checker(EventChecks):
    root: etree._Element
    form_exists: Callable[[str], bool]
    topic_known: Callable[[str], bool]
    roles: Collection[str]
    known_process_keys: Collection[str]
    functions: Collection[str] | None = None
    findings: list[Finding] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_id = {el.get("id"): el for el in self.root.iter() if isinstance(el.tag, str) and el.get("id")}
        self.outgoing: dict[str, list[etree._Element]] = {}
        for flow in self.root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
            self.outgoing.setdefault(flow.get("sourceRef"), []).append(flow)
        self.in_file = {p.get("id"): p for p in self.root.xpath("./bpmn:process", namespaces=NS)}

    def refuse(self, element: etree._Element | None, reason: str) -> None:
        self.findings.append(Finding(element, reason))

    def expression(self, element: etree._Element, text: str | None, kind: str, what: str) -> None:
        reason = compile_check(text or "", kind, functions=self.functions)
        if reason:
            self.refuse(element, f"{what}: {reason}")

    # -- walking --------------------------------------------------------------------------------

    def check_definitions(self) -> None:
        language = (self.root.get("expressionLanguage") or "").lower()
        if language and not any(word in language for word in ("python", "juel", "camunda")):
            self.refuse(self.root, f"expressionLanguage {language!r} is not supported; conditions are Python "
                                   "or ${…}")
        if self.root.get(f"{{{MODELER_NS}}}executionPlatform") == "Camunda Cloud":
            self.refuse(self.root, "drawn for Camunda 8 (Zeebe); Yunguan runs Camunda 7 / Platform diagrams "
                                   "(Camunda Modeler: File → New → BPMN diagram (Camunda 7))")
        for child in self.root:
            tag = short_tag(child.tag)
            if child.tag.__class__ is str and child.tag.startswith(f"{{{BPMN_NS}}}"):
                if tag in GLOBAL_TASKS:
                    self.refuse(child, "global tasks are not supported; draw the task in the process")
                elif tag in REFUSED:
                    self.refuse(child, REFUSED[tag])

    def check_process(self, process: etree._Element) -> None:
        for group in split_list(process.get(f"{{{CAMUNDA_NS}}}candidateStarterGroups")):
            if group not in self.roles:
                self.refuse(process, f"candidate starter group {group!r} is not a role")
        skip: set[etree._Element] = set()
        for element in process.iterdescendants():
            if not isinstance(element.tag, str) or element in skip:
                continue
            if element.tag == f"{{{BPMN_NS}}}extensionElements":
                skip.update(element.iterdescendants())
                self.check_extensions(element)
            elif element.tag.startswith(f"{{{BPMN_NS}}}"):
                self.check_bpmn(element, skip)

    def check_extensions(self, extensions: etree._Element) -> None:
        """Camunda 7 extensions that would be ignored are refused; other vendors' data is ignored."""
        host = extensions.getparent()
        zeebe = []
        for element in extensions:
            if not isinstance(element.tag, str):
                continue
            if element.tag.startswith(f"{{{CAMUNDA_NS}}}"):
                self.check_camunda(element, host)
            elif element.tag.startswith(f"{{{ZEEBE_NS}}}"):
                zeebe.append(f"zeebe:{short_tag(element.tag)}")
        if zeebe:
            self.refuse(host, f"Camunda 8 (Zeebe) extensions are not read ({', '.join(zeebe)}); Yunguan runs "
                              "Camunda 7 / Platform diagrams")

    def check_bpmn(self, element: etree._Element, skip: set) -> None:
        tag = short_tag(element.tag)
        reserved = reserved_id_reason(element.get("id"))
        if reserved:
            self.refuse(element, reserved)
        if tag in REFUSED:
            self.refuse(element, REFUSED[tag])
            skip.update(element.iterdescendants())
            return
        if tag == "subProcess" and element.get("triggeredByEvent") == "true":
            self.refuse(element, "event subprocesses are not supported; use boundary events")
            skip.update(element.iterdescendants())
            return
        if tag not in ACCEPTED:
            self.refuse(element, f"bpmn:{tag} is not supported")
            return
        for name, reason in IGNORED_BEHAVIOUR.items():
            if element.get(f"{{{CAMUNDA_NS}}}{name}") is not None:
                self.refuse(element, f"camunda:{name}: {reason}")
        handler = ELEMENT_CHECKS.get(tag)
        if handler is not None:
            getattr(self, handler)(element)
        if tag in EVENT_DEFINITIONS:
            self.check_event(element, tag)

    def check_camunda(self, element: etree._Element, host: etree._Element) -> None:
        tag = short_tag(element.tag)
        if tag in CAMUNDA_CHILDREN:
            self.refuse(host, f"camunda:{tag}: {CAMUNDA_CHILDREN[tag]}")
        elif tag in ("in", "out") and element.get("variables") != "all" and element.get("businessKey") is None:
            self.refuse(host, f"camunda:{tag} variable mappings are not run: a call activity passes all "
                              "variables in and all back")

    # -- tasks ----------------------------------------------------------------------------------

    def check_user_task(self, task: etree._Element) -> None:
        self.check_assignment(task)
        for name in ("formRef", "formKey"):
            form = task.get(f"{{{CAMUNDA_NS}}}{name}")
            if form is not None and not self.form_exists(form):
                self.refuse(task, f"camunda:{name}: no form with id {form!r} in forms/")
        if task.get(f"{{{CAMUNDA_NS}}}formRefBinding") not in (None, "latest", "deployment"):
            self.refuse(task, "camunda:formRefBinding: forms are not versioned separately; use \"latest\"")

    def check_manual_task(self, task: etree._Element) -> None:
        # SpiffWorkflow makes a manual task wait for a person (Camunda 7 passes through it).
        self.check_assignment(task)

    def check_assignment(self, task: etree._Element) -> None:
        def attr(name: str) -> str | None:
            return task.get(f"{{{CAMUNDA_NS}}}{name}")

        groups, users = split_list(attr("candidateGroups")), split_list(attr("candidateUsers"))
        assignee = attr("assignee")
        if not (groups or users or (assignee or "").strip()):
            self.refuse(task, "nobody could do this task: set camunda:candidateGroups (a role) or camunda:assignee")
        for group in groups:
            if "{" in group:
                self.expression(task, group, "expression", "camunda:candidateGroups")
            elif group not in self.roles:
                self.refuse(task, f"candidate group {group!r} is not a role (roles: {', '.join(sorted(self.roles))})")
        for name, value in (("assignee", assignee), *(("candidateUsers", u) for u in users)):
            if value and "{" in value:
                self.expression(task, value, "expression", f"camunda:{name}")
        for name in ("dueDate", "followUpDate"):
            if attr(name) is not None:
                self.expression(task, attr(name), "due_date", f"camunda:{name}")
        self.check_task_tenant(task)
        priority = attr("priority")
        if priority is not None and not priority.strip().lstrip("-").isdigit():
            if unwrap(priority)[1]:
                self.expression(task, priority, "expression", "camunda:priority")
            else:
                self.refuse(task, "camunda:priority must be a whole number or ${…}")

    def check_task_tenant(self, task: etree._Element) -> None:
        """README "Diagrams": the extension property ``tenant`` = ``${variable}`` gives the task's tenant."""
        for prop in task.xpath("./bpmn:extensionElements/camunda:properties/camunda:property[@name='tenant']",
                               namespaces=NS):
            try:
                name, wrapped = unwrap(prop.get("value") or "")
            except ValueError:
                name, wrapped = "", False
            if not wrapped or not name.strip().isidentifier():
                self.refuse(task, "the property tenant must name a variable holding a tenant code, e.g. "
                                  "${district} (the multi-instance element variable)")

    def check_service_task(self, task: etree._Element) -> None:
        if task.get(f"{{{CAMUNDA_NS}}}expression") is not None:
            self.refuse(task, "camunda:expression: expressions are not run as service implementations; "
                              "use camunda:type=\"external\" camunda:topic=\"<handler>\"")
        kind, topic = task.get(f"{{{CAMUNDA_NS}}}type"), task.get(f"{{{CAMUNDA_NS}}}topic")
        if kind != "external" or not topic:
            self.refuse(task, "a service task must be camunda:type=\"external\" with camunda:topic naming "
                              "a registered handler")
        elif not self.topic_known(topic):
            self.refuse(task, f"no handler is registered for topic {topic!r}")

    def check_script_task(self, task: etree._Element) -> None:
        language = (task.get("scriptFormat") or "").strip().lower()
        if language not in ("", "python"):
            self.refuse(task, f"scriptFormat {language!r} would be run as Python; scripts must be Python "
                              "(scriptFormat=\"python\")")
            return
        if task.get(f"{{{CAMUNDA_NS}}}resource") is not None:
            self.refuse(task, "camunda:resource: external scripts are not supported; write the script inline")
            return
        scripts = task.xpath("./bpmn:script", namespaces=NS)
        if not scripts or not (scripts[0].text or "").strip():
            self.refuse(task, "a script task needs a script")
        else:
            self.expression(task, scripts[0].text, "script", "script")

    def check_call_activity(self, call: etree._Element) -> None:
        called = (call.get("calledElement") or "").strip()
        binding = call.get(f"{{{CAMUNDA_NS}}}calledElementBinding")
        if binding not in (None, "latest", "deployment"):
            self.refuse(call, f"camunda:calledElementBinding={binding!r}: a call always starts the latest "
                              "deployed version")
        if not called:
            self.refuse(call, "a call activity needs calledElement (the id of the process to call)")
        elif "{" in called:
            self.refuse(call, "calledElement must be a process id; expressions are not supported")
        elif called in self.in_file:
            if self.in_file[called].get("isExecutable", "true") != "true":
                self.refuse(call, f"calls process {called!r}, which is marked isExecutable=\"false\"")
        elif called not in self.known_process_keys:
            self.refuse(call, f"calls process {called!r}, which is neither in this file nor deployed")

    def check_multi_instance(self, loop: etree._Element) -> None:
        host = loop.getparent()
        collection = loop.get(f"{{{CAMUNDA_NS}}}collection")
        cardinality = loop.xpath("./bpmn:loopCardinality", namespaces=NS)
        for tag in ("loopDataInputRef", "loopDataOutputRef", "inputDataItem", "outputDataItem"):
            if loop.xpath(f"./bpmn:{tag}", namespaces=NS):
                self.refuse(host, f"multi-instance bpmn:{tag} is not read; use camunda:collection and "
                                  "camunda:elementVariable")
        if collection is None and not cardinality:
            self.refuse(host, "a multi-instance marker needs camunda:collection or a loop cardinality")
        if collection is not None and not unwrap(collection)[0].isidentifier():
            self.refuse(host, f"camunda:collection must name a list variable, not {collection!r}")
        element = loop.get(f"{{{CAMUNDA_NS}}}elementVariable")
        if element is not None and not element.isidentifier():
            self.refuse(host, f"camunda:elementVariable must be a variable name, not {element!r}")
        if cardinality:
            self.expression(host, cardinality[0].text, "expression", "loop cardinality")
        for condition in loop.xpath("./bpmn:completionCondition", namespaces=NS):
            self.expression(host, condition.text, "condition", "completion condition")

    def check_subprocess(self, sub: etree._Element) -> None:
        for start in sub.xpath("./bpmn:startEvent", namespaces=NS):
            if any(short_tag(c.tag).endswith("EventDefinition") for c in start if isinstance(c.tag, str)):
                self.refuse(start, "a subprocess starts with a plain start event")

    # -- flows and events -----------------------------------------------------------------------

    def check_sequence_flow(self, flow: etree._Element) -> None:
        source = self.by_id.get(flow.get("sourceRef"))
        source_tag = short_tag(source.tag) if source is not None else None
        conditions = flow.xpath("./bpmn:conditionExpression", namespaces=NS)
        is_default = source is not None and source.get("default") == flow.get("id")
        if not conditions:
            branching = source_tag in ("exclusiveGateway", "inclusiveGateway") and len(
                self.outgoing.get(source.get("id"), [])) > 1
            if branching and not is_default:
                self.refuse(flow, f"a flow leaving {source_tag} {source.get('id')!r} needs a condition "
                                  "(or must be the gateway's default flow)")
            return
        if source_tag not in ("exclusiveGateway", "inclusiveGateway"):
            self.refuse(flow, f"a condition on a flow leaving a {source_tag or 'missing element'} is ignored by "
                              "the engine; branch with an exclusive gateway")
            return
        condition = conditions[0]
        language = (condition.get("language") or "").strip().lower()
        if language not in ("", "python", "juel"):
            self.refuse(flow, f"condition language {language!r} is not supported; write a Python expression "
                              "or ${…}")
        elif condition.get(f"{{{CAMUNDA_NS}}}resource") is not None:
            self.refuse(flow, "camunda:resource: conditions must be written inline")
        elif not is_default:
            self.expression(flow, condition.text, "condition", "condition")
