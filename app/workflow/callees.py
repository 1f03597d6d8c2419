"""Call activities to processes deployed from other files: which version runs, and its spec.

SpiffWorkflow runs a call activity from ``subprocess_specs``, which a parse of one file fills
only with that file's processes. A process called from another file is resolved here
(``parser.parse_diagram(..., resolve=...)``) by one rule:

**A caller version runs the callee versions that were the latest when it was deployed.**

- Pinned at deploy time, the rule needs no extra column: the pinned callee is the latest version
  of the called key with a smaller definition id than the caller's (ids grow with deployments).
  After a restart the same callee versions are found, so saved instances load with the same
  ``subprocess_specs`` they started with.
- A running instance never changes callee version: deploying a new callee version affects only
  callers deployed after it.
- Deploying an unchanged caller again after its callee changed makes a new caller version
  (``content_digest`` folds the callee's digest into the caller's), so ``flask bpmn deploy bpmn/``
  after editing a called process moves its callers onto it. The CLI deploys callees first.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.workflow import xml as safe_xml
from app.workflow.models import ProcessDefinition
from app.workflow.parser import NS, executable_processes

if TYPE_CHECKING:
    from app.workflow.engine import CachedSpec


def external_calls(root) -> frozenset[str]:
    """calledElement ids of call activities that name no process of the same file."""
    own = {p.get("id") for p in root.xpath("./bpmn:process", namespaces=NS)}
    called = {c.strip() for c in root.xpath(".//bpmn:callActivity/@calledElement", namespaces=NS)}
    return frozenset(c for c in called if c and c not in own)


def external_calls_of(xml: str | bytes) -> frozenset[str]:
    raw = xml.encode() if isinstance(xml, str) else xml
    return external_calls(safe_xml.parse_xml(raw).getroot())


def latest(session: Session, keys: Iterable[str], *, before_id: int | None = None) -> dict[str, ProcessDefinition]:
    """The latest deployed version of each key (deployed before definition ``before_id``, if given)."""
    found: dict[str, ProcessDefinition] = {}
    for key in sorted(set(keys)):
        stmt = select(ProcessDefinition).where(ProcessDefinition.key == key)
        if before_id is not None:
            stmt = stmt.where(ProcessDefinition.id < before_id)
        row = session.scalar(stmt.order_by(ProcessDefinition.version.desc()).limit(1))
        if row is not None:
            found[key] = row
    return found


def pinned(session: Session, definition: ProcessDefinition) -> dict[str, ProcessDefinition]:
    """The callee versions a deployed caller runs (see the module docstring)."""
    return latest(session, external_calls_of(definition.xml), before_id=definition.id)


def content_digest(xml_digest: str, callees: Mapping[str, ProcessDefinition]) -> str:
    """What identifies a deployed version: the diagram's digest, plus its callees' when it has any."""
    if not callees:
        return xml_digest
    text = xml_digest + "".join(f"|{key}={callees[key].digest}" for key in sorted(callees))
    return hashlib.sha256(text.encode()).hexdigest()


def clashes(root, callees: Mapping[str, CachedSpec]) -> list[str]:
    """Names a caller and its callees would both put in one ``subprocess_specs`` (SpiffWorkflow keys
    embedded subprocesses and called processes by id in one flat mapping): the wrong one would run."""
    own = {p.get("id") for p in executable_processes(root)}
    own |= {s.get("id") for s in root.xpath(".//bpmn:subProcess", namespaces=NS)}

    def spec_in(owner: str, name: str) -> object:
        return callees[owner].spec if name == owner else callees[owner].subprocess_specs.get(name)

    first_owner: dict[str, str] = {}
    problems = []
    for key in sorted(callees):
        for name in sorted({key, *callees[key].subprocess_specs}):
            owner = first_owner.setdefault(name, key)
            if name in own:
                problems.append(f"{name!r} is the id of an element of this diagram and of one in the called "
                                f"process {key!r}; rename one of them")
            elif spec_in(owner, name) is not spec_in(key, name):
                problems.append(f"{name!r} means different things in the called processes {owner!r} and {key!r}; "
                                "rename one of them (or deploy them so that both call the same version)")
    return problems
