"""What an approver needs around a task: the process it belongs to, who started it and when,
its key variables, its history so far, and the regulation article the step implements.

The article comes from the user task's documentation in the diagram (``HumanTask.documentation``),
written the way code comments cite rules (STYLE habit 10): ``M.19: bdc reviews within 5 working
days`` — M for the Interim Measures, P for the Opinions on centralised procurement (DESIGN).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.forms.post import parse_form_post
from app.inbox import service, substitutes
from app.security import Actor, get_visible, scoped
from app.workflow import service as workflow_service
from app.workflow.access import can_work_on, covering_for
from app.workflow.models import HumanTask, ProcessInstance

SOURCES = {
    "M": _l("Interim Measures for the Administration of the Shanghai Government Cloud"),
    "P": _l("Opinions on Centralised Procurement with Separate Contracts for the City Government Cloud"),
}
CITATION = re.compile(r"^\s*(?P<code>(?P<source>[MP])\.\d+(?:\(\d+\))*(?:\s*[–-]\s*(?:[MP]\.)?\d*(?:\(\d+\))*)?)"
                      r"\s*[:：]?\s*(?P<text>.*)$", re.S)
EVENT_LABELS = {
    "started": _l("Process started"),
    "task_created": _l("Task created"),
    "task_completed": _l("Task completed"),
    "task_cancelled": _l("Task withdrawn"),
    "task_claimed": _l("Task claimed"),
    "task_released": _l("Task released"),
    "timer_scheduled": _l("Timer set"),
    "timer_fired": _l("Timer fired"),
    "message": _l("Message received"),
    "service_task": _l("Automatic step"),
    "incident": _l("Incident"),
    "incident_retried": _l("Incident retried"),
    "completed": _l("Process completed"),
    "cancelled": _l("Process cancelled"),
}
MAX_VARIABLES = 16
MAX_HISTORY = 200
SCALARS = (str, int, float, Decimal, bool, date, datetime)


@dataclass(frozen=True)
class Citation:
    code: str  # "M.19", "P.4(5)"
    source: Any  # the regulation's title, lazily translated
    text: str  # the rest of the documentation


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str
    label: Any
    element: str | None
    actor: str
    on_behalf_of: str | None
    is_this_task: bool


@dataclass
class TaskContext:
    instance: ProcessInstance
    started_by: str  # display name (the username when the user is gone)
    citation: Citation | None
    documentation: str | None
    variables: list[tuple[str, Any]] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # username -> display name, for the page
    submitted: dict[str, Any] = field(default_factory=dict)  # a finished task's data, from the audit


def citation(documentation: str | None) -> Citation | None:
    """``M.19: text`` → Citation("M.19", Interim Measures, "text"); None when no article is cited."""
    match = CITATION.match(documentation or "")
    if match is None:
        return None
    return Citation(re.sub(r"\s+", "", match["code"]), SOURCES[match["source"]], match["text"].strip())


def key_variables(data: dict[str, Any], *, skip: set[str] = frozenset()) -> list[tuple[str, Any]]:
    """Plain values worth a glance: scalars, not the form's own fields, not internal ``_`` names."""
    found = []
    for key in sorted(data):
        value = data[key]
        if key in skip or key.startswith("_") or value is None or not isinstance(value, SCALARS):
            continue
        text = value if not isinstance(value, str) or len(value) <= 120 else value[:119] + "…"
        found.append((key, text))
    return found[:MAX_VARIABLES]


def task_context(session: Session, actor: Actor, task: HumanTask, *, data: dict[str, Any] | None = None,
                 form_keys: set[str] = frozenset()) -> TaskContext:
    """The context of a task the caller has already checked the actor may see."""
    instance, events = _instance_and_events(session, actor, task)
    element_names = dict(session.execute(scoped(actor, HumanTask, HumanTask.instance_id == instance.id)
                                         .with_only_columns(HumanTask.element_id, HumanTask.name)).all())
    history = [HistoryEntry(e.at, e.kind, EVENT_LABELS.get(e.kind, e.kind), element_names.get(e.element_id or "",
                                                                                               e.element_id),
                            e.actor, e.on_behalf_of, (e.details or {}).get("task") == task.id) for e in events]
    submitted = _submitted(events, task.id) if task.status != "open" else {}
    if data is None and instance.tenant_id != task.tenant_id:  # see _instance_and_events
        data = submitted
    elif data is None:  # a finished task: the instance's variables now
        data = workflow_service.instance_detail(session, actor, instance.id)["variables"]
    people = {instance.started_by} | {e.actor for e in history} | {e.on_behalf_of or "" for e in history}
    names = substitutes.display_names(session, people)
    return TaskContext(instance=instance, started_by=names.get(instance.started_by, instance.started_by),
                       citation=citation(task.documentation), documentation=task.documentation,
                       variables=key_variables(data, skip=form_keys), history=history, names=names,
                       submitted=submitted)


def _instance_and_events(session: Session, actor: Actor, task: HumanTask) -> tuple[ProcessInstance, list]:
    """The instance and its latest history. A task that a city instance gave to the actor's district
    (README "Diagrams": the ``tenant`` property) shows only its own events: the instance's other
    events belong to other districts."""
    if task.tenant_id == actor.tenant_id and not actor.city_wide:
        from sqlalchemy import select

        from app.security import all_tenants
        from app.workflow.models import AuditEvent

        instance = session.scalar(all_tenants(select(ProcessInstance).where(ProcessInstance.id == task.instance_id)))
        if instance is not None and instance.tenant_id != task.tenant_id:
            events = session.scalars(all_tenants(select(AuditEvent).where(AuditEvent.instance_id == instance.id)
                                                 .order_by(AuditEvent.seq))).all()
            return instance, [e for e in events if (e.details or {}).get("task") == task.id][-MAX_HISTORY:]
    instance = get_visible(session, actor, ProcessInstance, task.instance_id)
    return instance, workflow_service.history(session, actor, instance.id)[-MAX_HISTORY:]


def _submitted(events: list, task_id: str) -> dict[str, Any]:
    """For a finished task: the data it was completed with, as the audit recorded it."""
    for event in reversed(events):
        details = event.details or {}
        if event.kind == "task_completed" and details.get("task") == task_id:
            return details.get("data") or {}
    return {}


@dataclass
class TaskPage:
    """The task page: the task, its form and values, its context, and what the actor may do."""

    item: Any  # service.TaskItem
    form: Any  # FormDefinition | None
    values: dict[str, Any]
    context: TaskContext
    can_claim: bool
    can_unclaim: bool
    can_complete: bool
    on_behalf_of: str | None


def task_page(session: Session, actor: Actor, task_id: str, *, posted: Any = None) -> TaskPage:
    """Everything the task page shows. ``posted``: a refused HTML post, shown again as typed."""
    task = service.get_task(session, actor, task_id)
    form = service.task_form(session, task)
    is_open = task.status == "open"
    data = service.task_data(session, task) if is_open else None
    absent = substitutes.absent_colleagues(session, actor)
    behalf = covering_for(actor, task, absent) if is_open else None
    mine = is_open and (can_work_on(actor, task) or behalf is not None)
    form_keys = {c.key for c in form.inputs() if c.key} if form is not None else set()
    ctx = task_context(session, actor, task, data=data, form_keys=form_keys)
    values = data if is_open else ctx.submitted
    if posted is not None and form is not None:
        values = parse_form_post(form, posted, current=data)
    return TaskPage(
        item=service.describe(session, actor, task, absent=absent), form=form, values=values or {}, context=ctx,
        can_claim=is_open and task.assignee is None and can_work_on(actor, task),
        can_unclaim=is_open and task.assignee is not None and (task.assignee == actor.username
                                                               or "admin" in actor.roles),
        can_complete=mine, on_behalf_of=behalf)
