"""Deploying diagrams: validate everything, then store a new version only when the content changed.

The same function serves ``flask bpmn deploy``, ``POST /api/v1/deployments`` and the admin
upload page, so the three can never disagree about what is deployable.
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
from app.workflow import handlers
from app.workflow.models import ProcessDefinition
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
        # A form that the inbox could not render or validate must stop the deployment too.
        for form_id in sorted(verdict.diagram.form_ids):
            form = registry.find(form_id)
            for problem in check_form(form) if form is not None else []:
                verdict.problems.append(Problem(filename, None, problem.component_id, "form",
                                                f"form {form_id}: {problem.reason}"))
        verdict.ok = not verdict.problems
    return verdict


def deploy(session: Session, actor: Actor, xml: bytes, filename: str, *,
           sibling_keys: set[str] | frozenset[str] = frozenset()) -> Deployment:
    require_role(actor, *DEPLOYER_ROLES)
    verdict = check(session, xml, filename, sibling_keys=sibling_keys)
    if not verdict.ok:
        raise ValidationFailed(_("The diagram cannot be deployed: %(n)s problem(s).", n=len(verdict.problems)),
                               fields={"file": [str(p) for p in verdict.problems]}, code="invalid_diagram")
    diagram = verdict.diagram
    key = diagram.key
    existing = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                              ProcessDefinition.digest == diagram.digest))
    if existing is not None:
        return Deployment(existing, created=False)
    latest = session.scalar(select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == key)) or 0
    forms = {form_id: form_registry().get(form_id).raw for form_id in sorted(diagram.form_ids)}
    definition = ProcessDefinition(
        key=key, version=latest + 1, name=diagram.name or key, filename=Path(filename).name,
        digest=diagram.digest, xml=xml.decode("utf-8"), forms=forms,
        starter_groups=sorted(diagram.starter_groups), deployed_by=actor.username,
    )
    session.add(definition)
    session.flush()
    return Deployment(definition, created=True)


def problems_text(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


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
