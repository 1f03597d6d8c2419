"""Human tasks as people work them: lists, claim/unclaim, the task with its form, completion.

Completion validates the submitted data against the task's Camunda Form (the version
snapshotted at deploy time), then hands it to the workflow service as one engine step. Who may
see or act on a task is decided in ``app.workflow.access``; this module only asks.

Other domains use this module (and ``substitutes``/``notifications`` through it where needed):
``from app.inbox import service as inbox_service``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import false, func, literal_column, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import clock
from app.errors import Conflict, Forbidden, NotFound
from app.forms.model import FormDefinition, parse_form
from app.forms.options import form_schema_json, options_from_data
from app.forms.post import MultiDictLike, parse_form_post
from app.forms.schema import validate_submission
from app.inbox import substitutes
from app.inbox.due import DueRules, DueState
from app.inbox.models import TaskNotice
from app.security import Actor, all_tenants, get_visible, scoped
from app.workflow import guards
from app.workflow import service as workflow_service
from app.workflow.access import can_see, can_work_on, candidate_criterion, covered_criterion, covering_for
from app.workflow.models import HumanTask, ProcessDefinition, ProcessInstance

SCOPES = ("mine", "candidate", "covering", "done", "all")
# Inline, not a bound parameter: PostgreSQL may reuse a generic plan for a prepared statement,
# and a generic plan cannot prove ``status = $1`` implies the inbox's partial indexes (status = 'open').
OPEN = literal_column("'open'")
SORTS = ("due", "-due", "created", "-created", "completed", "-completed")
ADMIN = "admin"


@dataclass
class TaskItem:
    """A task with what the inbox shows beside it. Reads through to the row, so schemas and
    templates use ``item.name`` as they would ``task.name``."""

    task: HumanTask
    due: DueState
    on_behalf_of: str | None = None  # set when the actor reaches the task as a substitute

    def __getattr__(self, name: str) -> Any:
        if name == "task" or name.startswith("__"):  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self.task, name)

    @property
    def overdue(self) -> bool:
        return self.due.overdue

    @property
    def due_soon(self) -> bool:
        return self.due.soon


@dataclass
class TaskDetail(TaskItem):
    """A task as ``GET /tasks/{id}`` shows it: with its form, its data and the cited article."""

    form: dict[str, Any] | None = None
    data: dict[str, Any] = field(default_factory=dict)
    regulation: Any = None  # context.Citation


@dataclass
class TaskPage:
    items: list[TaskItem]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def capped(self) -> bool:
        """The total is a lower bound: counting stopped at COUNT_LIMIT."""
        return self.total >= COUNT_LIMIT


@dataclass
class TaskFilters:
    process_key: str | None = None
    tenant: str | None = None  # the district
    overdue: bool | None = None
    due_before: datetime | None = None


def list_tasks(session: Session, actor: Actor, *, scope: str = "all", filters: TaskFilters | None = None,
               page: int = 1, per_page: int = 20, sort: str | None = None) -> TaskPage:
    """One page of the actor's tasks. ``scope``: mine (assigned to me), candidate (my groups,
    unclaimed), covering (assigned to colleagues I substitute for now), done (completed by me),
    all (open tasks of the first three; admins: every open task they see)."""
    filters = filters or TaskFilters()
    now = clock.now()
    absent = substitutes.absent_colleagues(session, actor, now) if scope in ("covering", "all") else frozenset()
    stmt = _filtered(scoped(actor, HumanTask).where(_scope_criterion(actor, scope, absent)), filters, now)
    # Counting stops at a bound: past it the exact number helps nobody, and it costs a scan.
    count = select(func.count()).select_from(
        stmt.with_only_columns(HumanTask.id).order_by(None).limit(COUNT_LIMIT).subquery())
    # The page's ids in a subquery, then its rows: PostgreSQL finds the ids in the inbox's small
    # covering indexes (app/inbox/models.py) without touching the task heap, then reads 20 rows.
    # The count rides along as an uncorrelated subquery (evaluated once): one round trip, not two.
    order = _order(sort or ("-completed" if scope == "done" else "due"))
    page_ids = (stmt.with_only_columns(HumanTask.id).order_by(*order).offset((page - 1) * per_page)
                .limit(per_page).subquery())
    found = session.execute(scoped(actor, HumanTask).add_columns(count.scalar_subquery().label("total"))
                            .join(page_ids, page_ids.c.id == HumanTask.id).order_by(*order)).all()
    rows = [row for row, _total in found]
    total = found[0].total if found else (0 if page == 1 else session.scalar(count) or 0)
    rules = DueRules.current(session, now)
    items = [_item(rules, row, covering_for(actor, row, absent) if absent else None) for row in rows]
    return TaskPage(items, total, page, per_page)


# A "1000+" is as useful to a person as the exact count, and far cheaper for a city role.
COUNT_LIMIT = 1000


def _scope_criterion(actor: Actor, scope: str, absent: frozenset[str]) -> Any:
    mine = HumanTask.assignee == actor.username
    if scope == "done":
        return (HumanTask.status == literal_column("'completed'")) & (HumanTask.completed_by == actor.username)
    if scope == "mine":
        criterion = mine
    elif scope == "candidate":
        criterion = candidate_criterion(actor)
    elif scope == "covering":
        criterion = covered_criterion(actor, absent) if absent else false()
    elif actor.has_any({ADMIN}):
        criterion = HumanTask.id.is_not(None)
    else:
        criterion = or_(mine, candidate_criterion(actor), covered_criterion(actor, absent))
    return (HumanTask.status == OPEN) & criterion


def _filtered(stmt: Any, filters: TaskFilters, now: datetime) -> Any:
    if filters.process_key:
        stmt = stmt.where(HumanTask.process_key == filters.process_key)
    if filters.tenant:
        stmt = stmt.where(HumanTask.tenant_id == filters.tenant)
    if filters.overdue is True:
        stmt = stmt.where(HumanTask.due_at <= now)
    elif filters.overdue is False:
        stmt = stmt.where(or_(HumanTask.due_at.is_(None), HumanTask.due_at > now))
    if filters.due_before:
        stmt = stmt.where(HumanTask.due_at < filters.due_before)
    return stmt


def _order(sort: str) -> list[Any]:
    # NULLS LAST in both directions: a task without a due date is never the most urgent one. The
    # id keeps pages stable; PostgreSQL reads (status, tenant_id, due_at) in order and stops early.
    column = {"due": HumanTask.due_at, "created": HumanTask.created_at,
              "completed": HumanTask.completed_at}[sort.lstrip("-")]
    direction = column.desc() if sort.startswith("-") else column.asc()
    return [direction.nulls_last(), HumanTask.id]


def _item(rules: DueRules, task: HumanTask, on_behalf_of: str | None = None) -> TaskItem:
    return TaskItem(task, rules.state(task.due_at, is_open=task.status == "open", provisional=task.due_provisional),
                    on_behalf_of)


def describe(session: Session, actor: Actor, task: HumanTask, *, absent: frozenset[str] | None = None) -> TaskItem:
    """The task with its due state and, for a substitute, whose task it is."""
    if absent is None:
        absent = substitutes.absent_colleagues(session, actor)
    return _item(DueRules.current(session, clock.now()), task, covering_for(actor, task, absent))


def get_task(session: Session, actor: Actor, task_id: str) -> HumanTask:
    """The task if the actor may see it: another tenant's is absent (404); one of the actor's
    tenant offered neither to them nor to their groups, nor done by them, is forbidden (403)."""
    task = get_visible(session, actor, HumanTask, task_id)
    if not can_see(actor, task, absent_users=substitutes.absent_colleagues(session, actor)):
        raise Forbidden(_("This task is not offered to you."))
    return task


def claim(session: Session, actor: Actor, task_id: str) -> TaskItem:
    task = get_task(session, actor, task_id)
    _must_be_open(task)
    if task.assignee and task.assignee != actor.username:
        raise Conflict(_("%(user)s has already claimed this task.", user=task.assignee), code="task_claimed")
    if not can_work_on(actor, task):
        raise Forbidden(_("This task is not offered to you."))
    _set_assignee(session, task, actor.username, expected=(None, actor.username))
    workflow_service.record_task_event(session, actor, task, "task_claimed")
    _mark_announced(session, task.id)
    session.flush()
    return describe(session, actor, task, absent=frozenset())


def _set_assignee(session: Session, task: HumanTask, assignee: str | None, *, expected: tuple[str | None, ...]
                  ) -> None:
    """Change the assignee only if nobody else changed it since it was read: of two people claiming
    at once exactly one wins, the other gets 409 (a plain ORM write would let the last one win)."""
    known = [name for name in expected if name is not None]
    current = or_(HumanTask.assignee.is_(None), HumanTask.assignee.in_(known)) if None in expected \
        else HumanTask.assignee.in_(known)
    done = session.execute(all_tenants(
        update(HumanTask).where(HumanTask.id == task.id, HumanTask.status == "open", current)
        .values(assignee=assignee).execution_options(synchronize_session=False)))
    session.refresh(task)
    if done.rowcount != 1:
        if task.status != "open":
            raise Conflict(_("This task has already been completed."), code="task_completed")
        raise Conflict(_("%(user)s has already claimed this task.", user=task.assignee), code="task_claimed")


def _mark_announced(session: Session, task_id: str) -> None:
    """A task claimed before the notification scan saw it needs no "new task" notice (and its
    claimer no "assigned to you" one): record it as announced. The scan may insert the same
    row at the same moment; the savepoint lets the loser carry on."""
    if session.get(TaskNotice, (task_id, TaskNotice.NEW)) is not None:
        return
    try:
        with session.begin_nested():
            session.add(TaskNotice(task_id=task_id, kind=TaskNotice.NEW, sent_at=clock.now(), recipients=0))
    except IntegrityError:
        pass


def unclaim(session: Session, actor: Actor, task_id: str) -> TaskItem:
    task = get_task(session, actor, task_id)
    _must_be_open(task)
    if task.assignee != actor.username and not actor.has_any({ADMIN}):
        raise Forbidden(_("Only the person who claimed the task can release it."))
    claimer = task.assignee
    _set_assignee(session, task, None, expected=(claimer,))
    workflow_service.record_task_event(session, actor, task, "task_released", claimed_by=claimer)
    session.flush()
    return describe(session, actor, task, absent=frozenset())


def _must_be_open(task: HumanTask) -> None:
    if task.status != "open":
        raise Conflict(_("This task has already been completed."), code="task_completed")


def task_form(session: Session, task: HumanTask) -> FormDefinition | None:
    """The form as deployed with the task's process version (running instances keep it)."""
    if not task.form_id:
        return None
    # The task is already visible to the caller; its instance is in the same tenant.
    definition = session.scalar(all_tenants(select(ProcessDefinition).join(
        ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id).where(
        ProcessInstance.id == task.instance_id)))
    raw = (definition.forms or {}).get(task.form_id) if definition is not None else None
    if raw is None:
        raise NotFound(_("The form %(id)s of this task is missing.", id=task.form_id))
    return parse_form(raw, source=f"{task.form_id}.form")


def task_data(session: Session, task: HumanTask) -> dict[str, Any]:
    """The variables the task shows: its data in the engine, as plain JSON."""
    return workflow_service.task_variables(session, task)


def task_view(session: Session, actor: Actor, task_id: str) -> TaskDetail:
    """The task, its form (form-js JSON with ``valuesKey`` options resolved), its data and the
    regulation article its documentation cites."""
    from app.inbox.context import citation  # context builds on this module

    task = get_task(session, actor, task_id)
    form = task_form(session, task)
    data = task_data(session, task) if task.status == "open" else {}
    schema = form_schema_json(form, options=options_from_data(form, data)) if form else None
    item = describe(session, actor, task)
    return TaskDetail(item.task, item.due, item.on_behalf_of, form=schema, data=data,
                      regulation=citation(task.documentation))


def acting_for(session: Session, actor: Actor, task: HumanTask) -> str | None:
    """Check that ``actor`` may complete ``task``: None when in their own right, the absent
    colleague's username when as a substitute; Forbidden otherwise."""
    if can_work_on(actor, task):
        return None
    behalf = covering_for(actor, task, substitutes.absent_colleagues(session, actor))
    if behalf is None:
        raise Forbidden(_("This task is not offered to you."))
    return behalf


def validate(session: Session, task: HumanTask, submitted: Any, *, html_post: MultiDictLike | None = None
             ) -> dict[str, Any]:
    """The submission checked against the task's own form (422 with reasons per field). An HTML
    post is first read into the JSON a form-js client would send, so both meet the same rules."""
    form = task_form(session, task)
    if form is None:
        return submitted if isinstance(submitted, dict) else {}
    current = task_data(session, task)
    if html_post is not None:
        submitted = parse_form_post(form, html_post, current=current)
    return validate_submission(form, submitted, current=current)


def complete(session: Session, actor: Actor, task_id: str, submitted: Any = None, *,
             html_post: MultiDictLike | None = None) -> TaskItem:
    """Complete with form-validated data (JSON ``submitted`` or a page's ``html_post``): 409 when
    already completed, 403 when not the actor's to do, 422 per field. A substitute completes on
    behalf of the absent colleague, and the audit names both."""
    task = get_task(session, actor, task_id)
    _must_be_open(task)
    behalf = acting_for(session, actor, task)
    data = validate(session, task, submitted, html_post=html_post)
    guards.check(session, actor, task, data, lambda: task_data(session, task))  # domain rules, e.g. M.30

    def recheck(row: HumanTask) -> None:  # the workflow re-reads the row; the rule is the same
        if not (can_work_on(actor, row) if behalf is None else can_work_on(actor, row, as_user=behalf)):
            raise Forbidden(_("This task is not offered to you."))

    workflow_service.complete_task(session, actor, task_id, data, on_behalf_of=behalf, authorize=recheck)
    # The engine writes the row with a bulk UPDATE; read it back rather than trust the identity map.
    done = session.execute(scoped(actor, HumanTask, HumanTask.id == task_id)
                           .execution_options(populate_existing=True)).scalar_one()
    return _item(DueRules.current(session, clock.now()), done, behalf)


def process_names(session: Session) -> dict[str, str]:
    """Deployed process keys and their names (latest version's), for the filter list. Definitions
    are not tenant data: every tenant runs the same processes."""
    rows = session.execute(select(ProcessDefinition.key, ProcessDefinition.name)
                           .order_by(ProcessDefinition.key, ProcessDefinition.version)).all()
    return {key: name or key for key, name in rows}


@dataclass
class Overview:
    """Everything the inbox page shows around one list: counts per tab and the filter choices."""

    tasks: TaskPage
    counts: dict[str, int]
    processes: dict[str, str]
    covering_for: list[str]


def overview(session: Session, actor: Actor, *, scope: str, filters: TaskFilters, page: int = 1,
             per_page: int = 20, sort: str | None = None) -> Overview:
    tasks = list_tasks(session, actor, scope=scope, filters=filters, page=page, per_page=per_page, sort=sort)
    absent = substitutes.absent_colleagues(session, actor)
    counts = {}
    for tab in ("mine", "candidate", "covering"):
        if tab == scope:
            counts[tab] = tasks.total
        elif tab != "covering" or absent:
            stmt = scoped(actor, HumanTask).where(_scope_criterion(actor, tab, absent)).with_only_columns(
                HumanTask.id).limit(COUNT_LIMIT)
            counts[tab] = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return Overview(tasks, counts, process_names(session), sorted(absent))
