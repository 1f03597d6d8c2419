"""Deploy-time rules for events and event-based gateways (a mixin of checks.Checker).

Events are where SpiffWorkflow 3.2.0 and Camunda 7 differ most; each refusal below says why,
measured on 3.2.0 (tests/engine/test_elements.py runs every accepted kind end to end):

- **Start events** with a timer, message or signal: in Camunda 7 the engine itself starts new
  instances on that trigger. Yunguan starts instances only through ``POST /process-instances``
  (or a page); SpiffWorkflow would then make the started instance wait at its start event — a
  timer start delays the first step, a message or signal start waits for a delivery nobody is
  told to make. A plain start event, followed by an intermediate catch event if the instance
  should wait, says what really happens.
- **Thrown messages** (intermediate throw or end event): Camunda 7 runs them like service tasks;
  SpiffWorkflow hands them to the same instance or to a list nobody reads — nothing is sent.
- **Thrown signals** reach only catch events of the same instance (not other instances, as in
  Camunda 7): a signal thrown where no event of the diagram catches it would go nowhere.
- **An event-based gateway** keeps one due time for all its timer branches: two timers would both
  fire at the first one's due time.
"""
from __future__ import annotations

from lxml import etree

from app.workflow.parser import CAMUNDA_NS, NS
from app.workflow.xml import short_tag

EVENT_DEFINITIONS = {
    "startEvent": {None, "timer", "message", "signal"},  # only plain ones pass check_start (below)
    "endEvent": {None, "terminate", "error", "message", "signal"},
    "intermediateCatchEvent": {"timer", "message", "signal"},
    "intermediateThrowEvent": {None, "message", "signal"},
    "boundaryEvent": {"timer", "message", "signal", "error"},
}
START_TRIGGERS = {
    "timer": "a timer start event would not start instances on schedule as in Camunda 7: instances are "
             "started through the API or a page, and the started instance would only wait for the timer. "
             "Use a plain start event followed by an intermediate timer catch event",
    "message": "a message start event would not start an instance when the message arrives: instances are "
               "started through the API or a page (POST /api/v1/process-instances), and the started instance "
               "would wait for the message. Use a plain start event (followed by an intermediate message "
               "catch event if it should wait)",
    "signal": "a signal start event would not start an instance when the signal is sent: instances are started "
              "through the API or a page. Use a plain start event (followed by an intermediate signal catch "
              "event if it should wait)",
}
THROWN_MESSAGE = ("a thrown message is not sent anywhere (SpiffWorkflow keeps it inside the instance); send it "
                  "from a service task: camunda:type=\"external\" camunda:topic=\"<handler>\"")
CATCHING = ("intermediateCatchEvent", "boundaryEvent")


class EventChecks:
    """Needs ``refuse``, ``expression``, ``root``, ``by_id`` and ``outgoing`` from the Checker."""

    def check_event(self, event: etree._Element, tag: str) -> None:
        definitions = [c for c in event if isinstance(c.tag, str) and short_tag(c.tag).endswith("EventDefinition")]
        if len(definitions) > 1:
            self.refuse(event, "events with several definitions (multiple / parallel multiple) are not supported")
            return
        kind = short_tag(definitions[0].tag).removesuffix("EventDefinition") if definitions else None
        if kind in ("compensate", "escalation", "conditional", "link", "cancel"):
            return  # refused with its own reason when the definition itself is visited
        if kind not in EVENT_DEFINITIONS[tag]:
            allowed = ", ".join(sorted(k or "none" for k in EVENT_DEFINITIONS[tag]))
            self.refuse(event, f"a {kind or 'plain'} {tag} is not supported here (allowed: {allowed})")
            return
        if tag == "startEvent" and kind in START_TRIGGERS:
            if short_tag(event.getparent().tag) == "process":  # subprocess starts: check_subprocess
                self.refuse(event, START_TRIGGERS[kind])
            return
        if kind == "message" and tag in ("intermediateThrowEvent", "endEvent"):
            self.refuse(event, THROWN_MESSAGE)
            return
        if kind == "error" and tag == "boundaryEvent" and event.get("cancelActivity") == "false":
            self.refuse(event, "error boundary events always interrupt the activity")
        if kind is not None:
            getattr(self, f"check_{kind}_definition")(event, definitions[0])

    def check_event_gateway(self, gateway: etree._Element) -> None:
        timers = 0
        for flow in self.outgoing.get(gateway.get("id"), []):
            target = self.by_id.get(flow.get("targetRef"))
            if target is None or short_tag(target.tag) != "intermediateCatchEvent":
                self.refuse(flow, "an event-based gateway must lead to intermediate catch events "
                                  "(message, timer or signal)")
            elif target.xpath("./bpmn:timerEventDefinition", namespaces=NS):
                timers += 1
        if timers > 1:
            self.refuse(gateway, f"an event-based gateway may wait for one timer, not {timers}: SpiffWorkflow "
                                 "keeps one due time for all of them, so all would fire at the first")

    def check_timer_definition(self, event: etree._Element, definition: etree._Element) -> None:
        values = [c for c in definition if short_tag(c.tag) in ("timeDate", "timeDuration", "timeCycle")]
        if len(values) != 1:
            self.refuse(event, "a timer needs exactly one of timeDate, timeDuration or timeCycle "
                               f"(found {len(values)})")
            return
        kind = short_tag(values[0].tag)
        if kind == "timeCycle" and short_tag(event.tag) != "boundaryEvent":
            # SpiffWorkflow repeats the outgoing path inside the same instance on every cycle.
            self.refuse(event, "a timeCycle here would run the following path once per cycle in the same "
                               "instance; cycles are for boundary events (e.g. reminders)")
            return
        self.expression(event, values[0].text, kind, kind)

    def _referenced(self, event: etree._Element, definition: etree._Element, attribute: str, tag: str,
                    required: bool) -> etree._Element | None:
        ref = definition.get(attribute)
        if not ref:
            if required:
                self.refuse(event, f"the {tag} event needs a {tag} ({attribute})")
            return None
        target = self.by_id.get(ref)
        if target is None or short_tag(target.tag) != tag:
            self.refuse(event, f"{attribute} {ref!r} does not name a bpmn:{tag} in this file")
            return None
        if required and not (target.get("name") or "").strip():
            self.refuse(event, f"bpmn:{tag} {ref!r} needs a name: it is what senders use")
            return None
        return target

    def check_message_definition(self, event: etree._Element, definition: etree._Element) -> None:
        self._referenced(event, definition, "messageRef", "message", required=True)
        payload = definition.get(f"{{{CAMUNDA_NS}}}expression")
        if payload is not None:
            self.expression(event, payload, "expression", "message payload")

    def check_signal_definition(self, event: etree._Element, definition: etree._Element) -> None:
        signal = self._referenced(event, definition, "signalRef", "signal", required=True)
        if signal is None or short_tag(event.tag) in CATCHING:
            return
        name = signal.get("name").strip()
        if name not in self._caught_signals():
            self.refuse(event, f"signal {name!r} is thrown but no event of this diagram catches it: a thrown "
                               "signal reaches only catch events of the same instance")

    def _caught_signals(self) -> set[str]:
        caught = set()
        for tag in CATCHING:
            for ref in self.root.xpath(f".//bpmn:{tag}/bpmn:signalEventDefinition/@signalRef", namespaces=NS):
                signal = self.by_id.get(ref)
                if signal is not None and short_tag(signal.tag) == "signal":
                    caught.add((signal.get("name") or "").strip())
        return caught

    def check_error_definition(self, event: etree._Element, definition: etree._Element) -> None:
        self._referenced(event, definition, "errorRef", "error", required=False)

    def check_terminate_definition(self, event: etree._Element, definition: etree._Element) -> None:
        return None
