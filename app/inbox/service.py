"""Human tasks as people work them: lists, claim/unclaim, the task with its form, completion.

Completion validates the submitted data against the task's Camunda Form (the version
snapshotted at deploy time), then hands it to the workflow service as one engine step.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app import clock
from app.errors import Conflict, Forbidden, NotFound
from app.forms.model import FormDefinition, parse_form
from app.forms.options import form_schema_json
from app.forms.schema import validate_submission
from app.security import Actor, get_visible, scoped
from app.workflow import service as workflow_service
from app.workflow.access import can_work_on, candidate_criterion
from app.workflow.models import HumanTask, ProcessDefinition, ProcessInstance

SCOPES = ("mine", "candidate", "all")


@dataclass
class TaskPage:
    items: list[HumanTask]
    total: int
    page: int
    per_page: int


@dataclass
class TaskFilters:
    process_key: str | None = None
    tenant: str | None = None
    overdue: bool | None = None
    due_before: datetime | None = None
    status: str = "open"


def list_tasks(session: Session, actor: Actor, *, scope: str = "all", filters: TaskFilters | None = None,
               page: int = 1, per_page: int = 20) -> TaskPage:
    filters = filters or TaskFilters()
    stmt = scoped(actor, HumanTask, HumanTask.status == filters.status)
    mine = HumanTask.assignee == actor.username
    if scope == "mine":
        stmt = stmt.where(mine)
    elif scope == "candidate":
        stmt = stmt.where(candidate_criterion(actor))
    elif not actor.has_any({"admin"}):
        stmt = stmt.where(or_(mine, candidate_criterion(actor)))
    if filters.process_key:
        stmt = stmt.where(HumanTask.process_key == filters.process_key)
    if filters.tenant:
        stmt = stmt.where(HumanTask.tenant_id == filters.tenant)
    now = clock.now()
    if filters.overdue:
        stmt = stmt.where(HumanTask.due_at < now)
    if filters.due_before:
        stmt = stmt.where(HumanTask.due_at < filters.due_before)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    # Tasks without a due date come last; the id keeps pages stable between calls.
    stmt = stmt.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id)
    items = session.scalars(stmt.offset((page - 1) * per_page).limit(per_page)).all()
    return TaskPage(list(items), total, page, per_page)


def get_task(session: Session, actor: Actor, task_id: str) -> HumanTask:
    """The task if the actor may see it: another tenant's is absent (404); one of the actor's
    tenant that is neither offered to them nor done by them is forbidden (403)."""
    task = get_visible(session, actor, HumanTask, task_id)
    if not (can_work_on(actor, task) or task.completed_by == actor.username or actor.has_any({"admin"})):
        raise Forbidden(_("This task is not offered to you."))
    return task


def claim(session: Session, actor: Actor, task_id: str) -> HumanTask:
    task = get_task(session, actor, task_id)
    _must_be_open(task)
    if task.assignee and task.assignee != actor.username:
        raise Conflict(_("%(user)s has already claimed this task.", user=task.assignee), code="task_claimed")
    if not can_work_on(actor, task):
        raise Forbidden(_("This task is not offered to you."))
    task.assignee = actor.username
    session.flush()
    return task


def unclaim(session: Session, actor: Actor, task_id: str) -> HumanTask:
    task = get_task(session, actor, task_id)
    _must_be_open(task)
    if task.assignee != actor.username and not actor.has_any({"admin"}):
        raise Forbidden(_("Only the person who claimed the task can release it."))
    task.assignee = None
    session.flush()
    return task


def _must_be_open(task: HumanTask) -> None:
    if task.status != "open":
        raise Conflict(_("This task has already been completed."), code="task_completed")


def task_form(session: Session, task: HumanTask) -> FormDefinition | None:
    """The form as deployed with the task's process version (running instances keep it)."""
    if not task.form_id:
        return None
    definition = session.scalar(select(ProcessDefinition).join(
        ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id).where(
        ProcessInstance.id == task.instance_id).execution_options(tenant_checked=True))
    raw = (definition.forms or {}).get(task.form_id) if definition is not None else None
    if raw is None:
        raise NotFound(_("The form %(id)s of this task is missing.", id=task.form_id))
    return parse_form(raw, source=f"{task.form_id}.form")


def task_data(session: Session, task: HumanTask) -> dict[str, Any]:
    """The variables the task shows: its data in the engine, as plain JSON."""
    return workflow_service.task_variables(session, task)


def task_view(session: Session, actor: Actor, task_id: str) -> dict[str, Any]:
    task = get_task(session, actor, task_id)
    form = task_form(session, task)
    data = task_data(session, task) if task.status == "open" else {}
    return {"task": task, "form": form_schema_json(form, options=None) if form else None, "data": data}


def complete(session: Session, actor: Actor, task_id: str, submitted: Any) -> HumanTask:
    task = get_task(session, actor, task_id)
    _must_be_open(task)
    if not can_work_on(actor, task):
        raise Forbidden(_("This task is not offered to you."))
    form = task_form(session, task)
    if form is not None:
        data = validate_submission(form, submitted, current=task_data(session, task))
    else:
        data = submitted if isinstance(submitted, dict) else {}
    return workflow_service.complete_task(session, actor, task_id, data, authorize=lambda row: None)
