"""Bulk approval: one form filled once, applied to several tasks of the same step and form.

Each task is completed in its own transaction, so one that fails (taken meanwhile, already done,
a rule its own data breaks) leaves the others done, and the answer says which is which. The
service never commits (STYLE habit 3): the edge hands in ``commit`` and ``rollback`` and this
module decides only *when* each task's unit of work ends.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.errors import DomainError, ValidationFailed
from app.forms.model import FormDefinition
from app.forms.post import MultiDictLike, parse_form_post
from app.forms.schema import validate_submission
from app.inbox import service
from app.security import Actor
from app.workflow.models import HumanTask

MAX_TASKS = 100
log = logging.getLogger(__name__)


@dataclass
class Selection:
    """Tasks that may be completed with one form: same process, same step, same form."""

    tasks: list[HumanTask]
    form: FormDefinition | None
    process_key: str
    element_id: str
    name: str


@dataclass
class Outcome:
    task_id: str
    ok: bool
    status: int = 200
    code: str = "completed"
    message: str = ""
    fields: dict[str, list[str]] = field(default_factory=dict)
    name: str = ""
    business_key: str | None = None
    on_behalf_of: str | None = None


def select_tasks(session: Session, actor: Actor, task_ids: Sequence[str]) -> Selection:
    """Check a selection: 1..MAX_TASKS open tasks the actor may complete, of one element and form."""
    ids = list(dict.fromkeys(str(t) for t in task_ids if t))
    if not ids:
        raise ValidationFailed(_("Select at least one task."), fields={"task_ids": [_("Select at least one task.")]})
    if len(ids) > MAX_TASKS:
        raise ValidationFailed(_("Select at most %(n)s tasks at once.", n=MAX_TASKS),
                               fields={"task_ids": [_("Select at most %(n)s tasks at once.", n=MAX_TASKS)]})
    tasks = [service.get_task(session, actor, task_id) for task_id in ids]
    steps = {(t.process_key, t.element_id, t.form_id) for t in tasks}
    if len(steps) > 1:
        raise ValidationFailed(_("Bulk approval needs tasks of the same step and form."),
                               fields={"task_ids": [_("The selected tasks belong to different steps or forms.")]},
                               code="mixed_selection")
    first = tasks[0]
    return Selection(tasks, service.task_form(session, first), first.process_key, first.element_id, first.name)


def check_once(session: Session, selection: Selection, submitted: Any, *,
               html_post: MultiDictLike | None = None) -> dict[str, Any]:
    """Validate the form once, before any task is touched: a rule broken by the input itself is
    reported on the form (422) instead of once per task. Each task checks again against its own
    data when it is completed (read-only fields and ``valuesKey`` options can differ)."""
    if selection.form is None:
        return submitted if isinstance(submitted, dict) else {}
    first_open = next((t for t in selection.tasks if t.status == "open"), None)
    current = service.task_data(session, first_open) if first_open is not None else {}
    if html_post is not None:
        submitted = parse_form_post(selection.form, html_post, current=current)
    validate_submission(selection.form, submitted, current=current)
    return submitted


def complete_many(session: Session, actor: Actor, task_ids: Sequence[str], submitted: Any = None, *,
                  html_post: MultiDictLike | None = None, commit: Callable[[], None],
                  rollback: Callable[[], None]) -> list[Outcome]:
    """Complete each task with the same submission (JSON ``submitted`` or a page's ``html_post``),
    each in its own transaction (see module doc). Raises ValidationFailed (nothing done) when the
    selection or the input itself is invalid."""
    selection = select_tasks(session, actor, task_ids)
    submitted = check_once(session, selection, submitted, html_post=html_post)
    labels = {t.id: (t.name, t.business_key) for t in selection.tasks}
    rollback()  # end the read-only checks: each task below starts a transaction of its own
    outcomes = []
    for task_id in labels:
        name, business_key = labels[task_id]
        try:
            item = service.complete(session, actor, task_id, submitted)
            commit()
            outcomes.append(Outcome(task_id, True, name=name, business_key=business_key,
                                    on_behalf_of=item.on_behalf_of, message=_("Completed.")))
        except DomainError as exc:
            rollback()
            outcomes.append(Outcome(task_id, False, exc.status, exc.code, exc.message, dict(exc.fields),
                                    name=name, business_key=business_key))
        except Exception:  # one broken task must not hide what happened to the others
            rollback()
            log.exception("bulk completion of task %s failed", task_id)
            outcomes.append(Outcome(task_id, False, 500, "internal_error",
                                    _("An internal error occurred; it has been logged."),
                                    name=name, business_key=business_key))
    return outcomes
