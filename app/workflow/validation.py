"""Deploy-time validation: every diagram gets a verdict — accepted, or refused with element ids,
line numbers and reasons — and never a traceback or a hang (DESIGN §3, peers/README).
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from lxml import etree

from app.workflow import xml as safe_xml
from app.workflow.checks import Checker
from app.workflow.parser import BPMN_NS, DiagramError, ParsedDiagram, executable_processes, main_process_id, parse_tree

MAX_REASON = 1000


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    element_id: str | None
    element_type: str | None
    reason: str

    def __post_init__(self) -> None:
        # One line per problem (the CLI prints them like compiler messages), bounded in length.
        reason = " ".join(str(self.reason).split())
        object.__setattr__(self, "reason", reason if len(reason) <= MAX_REASON else reason[:MAX_REASON] + "…")

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = self.element_id or self.element_type
        return f"{where}: [{what}] {self.reason}" if what else f"{where}: {self.reason}"


@dataclass
class Verdict:
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    diagram: ParsedDiagram | None = None


def _problem(filename: str, element: etree._Element | None, reason: str) -> Problem:
    if element is None:
        return Problem(filename, None, None, None, reason)
    # Name the nearest element with an id (an event, not its id-less event definition).
    named = element
    while named is not None and not named.get("id"):
        named = named.getparent()
    named = element if named is None else named
    return Problem(filename, element.sourceline, named.get("id"), safe_xml.short_tag(named.tag) or None, reason)


def validate_diagram(
    xml: bytes,
    filename: str,
    *,
    form_exists: Callable[[str], bool],
    topics: Collection[str] | Callable[[str], bool],
    roles: Collection[str],
    known_process_keys: Collection[str] = frozenset(),
    functions: Collection[str] | None = None,
) -> Verdict:
    """Check a diagram for deployment. Never raises.

    ``functions``: the names the script engine will offer (``workdays``, ``now`` …); when given,
    a call to any other function in an expression is refused too.
    """
    try:
        return _validate(xml, filename, form_exists, topics, roles, known_process_keys, functions)
    except Exception as exc:  # the promise is a verdict, whatever the input
        reason = f"the diagram could not be checked: {exc.__class__.__name__}: {exc}"
        return Verdict(False, [Problem(str(filename), None, None, None, reason)])


def _validate(xml, filename, form_exists, topics, roles, known_process_keys, functions) -> Verdict:
    try:
        tree = safe_xml.parse_xml(xml)
    except safe_xml.XmlError as exc:
        return Verdict(False, [Problem(filename, exc.line, None, None, exc.message)])
    root = tree.getroot()
    if root.tag != f"{{{BPMN_NS}}}definitions":
        return Verdict(False, [_problem(filename, root, f"not a BPMN 2.0 file: the root element is "
                                                       f"{safe_xml.short_tag(root.tag) or root.tag!r}, "
                                                       "not bpmn:definitions")])
    try:
        main_process_id(root)
    except DiagramError as exc:
        processes = root.xpath("./bpmn:process", namespaces={"bpmn": BPMN_NS})
        return Verdict(False, [_problem(filename, processes[0] if processes else root, exc.message)])

    topic_known = topics if callable(topics) else set(topics).__contains__
    checker = Checker(root=root, form_exists=form_exists, topic_known=topic_known, roles=set(roles),
                      known_process_keys=set(known_process_keys), functions=functions)
    checker.check_definitions()
    for process in executable_processes(root):
        checker.check_process(process)
    problems = _unique([_problem(filename, f.element, f.reason) for f in checker.findings])

    diagram = None
    try:
        diagram = parse_tree(tree, filename)
    except DiagramError as exc:
        # SpiffWorkflow stops at its first error, usually a consequence of one already reported.
        if not problems or (exc.element_id and not any(p.element_id == exc.element_id for p in problems)):
            problems.append(Problem(filename, exc.line, exc.element_id, _short(exc.element_type), exc.message))
    return Verdict(not problems, problems, diagram if not problems else None)


def _short(tag: str | None) -> str | None:
    return tag.removeprefix("bpmn:") if tag else None


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
