"""Deploying diagrams: validate everything, then store a new version only when the content changed.

The same function serves ``flask bpmn deploy``, ``POST /api/v1/deployments`` and the admin
upload page, so the three can never disagree about what is deployable.

A call activity to a process of another file runs the callee version that was the latest when the
caller was deployed (callees.py); that version is part of what a caller version is, so an unchanged
caller deployed again after its callee changed becomes a new version.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.roles import ROLES
from app.errors import ValidationFailed
from app.security import Actor, require_role
from app.workflow import callees, handlers
from app.workflow import xml as safe_xml
from app.workflow.models import ProcessDefinition
from app.workflow.parser import ParsedDiagram
from app.workflow.validation import Problem, Verdict, validate_diagram

DEPLOYER_ROLES = ("process_owner", "admin")
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"


@dataclass
class Deployment:
    definition: ProcessDefinition
    created: bool


def form_registry():
    """The registry of the configured forms folder (re-created if the setting changes, as in tests)."""
    from app.forms.registry import FormRegistry

    registry = current_app.extensions.get("yunguan.forms")
    folder = current_app.config["FORMS_DIR"]
    if registry is None or Path(registry.directory) != Path(folder):
        registry = current_app.extensions["yunguan.forms"] = FormRegistry(folder)
    return registry


def check(session: Session, xml: bytes, filename: str, *, sibling_keys: set[str] | frozenset[str] = frozenset()
          ) -> Verdict:
    """Everything deploy checks, without deploying (``flask bpmn validate``). ``sibling_keys``:
    processes in files deployed together, which call activities may name."""
    from app.forms.check import check_form
    from app.workflow.timing import script_functions

    registry = form_registry()
    known = set(session.scalars(select(ProcessDefinition.key).distinct())) | set(sibling_keys)
    verdict = validate_diagram(
        xml, filename, form_exists=lambda form_id: registry.find(form_id) is not None,
        topics=handlers.known_topics(), roles=set(ROLES), known_process_keys=known,
        functions=set(script_functions()),
    )
    if verdict.diagram is not None:
        verdict.problems += call_problems(session, xml, filename, verdict.diagram, sibling_keys=sibling_keys)
        # A form that the inbox could not render or validate must stop the deployment too.
        for form_id in sorted(verdict.diagram.form_ids):
            form = registry.find(form_id)
            for problem in check_form(form) if form is not None else []:
                verdict.problems.append(Problem(filename, None, problem.component_id, "form",
                                                f"form {form_id}: {problem.reason}"))
        verdict.ok = not verdict.problems
    return verdict


def call_problems(session: Session, xml: bytes, filename: str, diagram: ParsedDiagram, *,
                  sibling_keys: set[str] | frozenset[str] = frozenset()) -> list[Problem]:
    """Call activities to other files: the callee must be deployed (a sibling file deployed in the
    same run counts, the CLI deploys it first), and the caller must run with it (callees.py)."""
    from app.workflow import steps
    from app.workflow.engine import callee_resolver
    from app.workflow.parser import NS, DiagramError, parse_diagram
    from app.workflow.service import get_engine

    if not diagram.unresolved_calls:
        return []
    root = safe_xml.parse_xml(xml).getroot()
    deployed = callees.latest(session, diagram.unresolved_calls)
    problems = []

    def problem(called: str, reason: str) -> None:
        calls = root.xpath(".//bpmn:callActivity[@calledElement=$key]", namespaces=NS, key=called)
        element = calls[0] if calls else None
        problems.append(Problem(filename, element.sourceline if element is not None else None,
                                element.get("id") if element is not None else None, "callActivity", reason))

    for called in sorted(diagram.unresolved_calls - deployed.keys() - set(sibling_keys)):
        problem(called, f"calls process {called!r}, which is not deployed; deploy it first")
    if problems or not deployed:
        return problems
    engine = get_engine()
    specs = {key: steps.cached_spec(session, engine, row.id) for key, row in deployed.items()}
    for reason in callees.clashes(root, specs):
        problems.append(Problem(filename, None, None, None, reason))
    if not problems and not (diagram.unresolved_calls - deployed.keys()):
        try:  # the caller as it will run: with its callees' specs
            parse_diagram(xml, filename, resolve=callee_resolver(specs))
        except DiagramError as exc:
            problems.append(Problem(filename, exc.line, exc.element_id, exc.element_type, exc.message))
    return problems


def deploy(session: Session, actor: Actor, xml: bytes, filename: str, *,
           sibling_keys: set[str] | frozenset[str] = frozenset()) -> Deployment:
    require_role(actor, *DEPLOYER_ROLES)
    verdict = check(session, xml, filename, sibling_keys=sibling_keys)
    if not verdict.ok:
        raise ValidationFailed(_("The diagram cannot be deployed: %(n)s problem(s).", n=len(verdict.problems)),
                               fields={"file": [str(p) for p in verdict.problems]}, code="invalid_diagram")
    diagram = verdict.diagram
    key = diagram.key
    called = callees.latest(session, diagram.unresolved_calls)
    missing = sorted(diagram.unresolved_calls - called.keys())
    if missing:  # a sibling file not deployed before this one (the CLI orders callees first)
        raise ValidationFailed(_("The diagram cannot be deployed: %(n)s problem(s).", n=len(missing)),
                               fields={"file": [f"{filename}: calls process {m!r}, which is not deployed; "
                                                "deploy it first" for m in missing]}, code="invalid_diagram")
    # The callee versions are pinned now (callees.py): they are part of what this version is.
    digest = callees.content_digest(diagram.digest, called)
    existing = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                              ProcessDefinition.digest == digest))
    if existing is not None:
        return Deployment(existing, created=False)
    latest = session.scalar(select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == key)) or 0
    forms = {form_id: form_registry().get(form_id).raw for form_id in sorted(diagram.form_ids)}
    definition = ProcessDefinition(
        key=key, version=latest + 1, name=diagram.name or key, filename=Path(filename).name,
        digest=digest, xml=xml.decode("utf-8"), forms=forms,
        starter_groups=sorted(diagram.starter_groups), deployed_by=actor.username,
    )
    session.add(definition)
    session.flush()
    return Deployment(definition, created=True)


def list_definitions(session: Session) -> list[ProcessDefinition]:
    return list(session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key,
                                                                   ProcessDefinition.version.desc())))


def get_definition(session: Session, key: str, version: int | None = None) -> ProcessDefinition:
    from app.errors import NotFound

    stmt = select(ProcessDefinition).where(ProcessDefinition.key == key)
    stmt = stmt.where(ProcessDefinition.version == version) if version else stmt.order_by(
        ProcessDefinition.version.desc())
    definition = session.scalar(stmt.limit(1))
    if definition is None:
        raise NotFound(_("No process %(key)s (version %(v)s) is deployed.", key=key, v=version or "latest"))
    return definition
