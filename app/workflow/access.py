"""Who may see and work on a human task (CONTRACT "BPMN conventions"). The one place for the rule.

A task names its candidate groups (role codes); the instance's tenant narrows them: a
district role only sees tasks of its own district, a city-wide role (``bdc``, ``eitc`` …)
sees its tasks in every district. ``camunda:assignee`` / ``candidateUsers`` name people.

Substitutes: while a user is absent, the colleague they named (same tenant, a shared role —
checked when the absence is set, see ``app.inbox.substitutes``) works on the absent user's own
tasks: those assigned to them. Only tasks of a role the substitute holds: a substitute covers a
colleague's work, not their every permission. Which absences are in force is data the inbox
reads; it passes the absent usernames in (``as_user`` / ``absent_users``).
"""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import and_, exists, false, not_, or_, select

from app.accounts.roles import CITY_WIDE_ROLES
from app.security import Actor
from app.workflow.models import HumanTask, TaskCandidate

# A candidate row naming one person (``camunda:candidateUsers``) rather than a role; roles never hold ':'.
USER_PREFIX = "user:"


def candidate_rows(task_id: str, tenant_id: str, due_at: Any, groups: Collection[str],
                   users: Collection[str]) -> list[dict[str, Any]]:
    """The ``task_candidate`` rows of a task: one per candidate group and one per candidate user,
    so "offered to me" is one indexed lookup whichever way the diagram names its people."""
    keys = [*dict.fromkeys(groups), *(USER_PREFIX + u for u in dict.fromkeys(users))]
    return [{"task_id": task_id, "group_name": key, "tenant_id": tenant_id, "is_open": True, "due_at": due_at}
            for key in keys]


def group_visible(actor: Actor, group: str, tenant_id: str) -> bool:
    if group not in actor.roles and not actor.is_system:
        return False
    return group in CITY_WIDE_ROLES or actor.tenant_id == tenant_id or actor.is_system


def can_work_on(actor: Actor, task: HumanTask, *, as_user: str | None = None) -> bool:
    """May ``actor`` claim or complete ``task``? (``as_user``: the absent colleague a substitute covers)"""
    if actor.is_system:
        return True
    if as_user is not None:
        return covers(actor, task, as_user)
    username = actor.username
    if task.assignee:
        return task.assignee == username
    if username in (task.candidate_users or []):
        return True
    return any(group_visible(actor, g, task.tenant_id) for g in task.candidate_groups or [])


def can_see(actor: Actor, task: HumanTask, *, absent_users: Collection[str] = ()) -> bool:
    """May ``actor`` open ``task`` (at least to read it)? Its assignee, whoever completed it, a
    member of a group it is offered to (also once a colleague claimed it: the team sees its work),
    a substitute covering it, and admins. The tenant rule is applied before, by the query."""
    if actor.is_system or "admin" in actor.roles:
        return True
    if actor.username in (task.assignee, task.completed_by) or actor.username in (task.candidate_users or []):
        return True
    if covering_for(actor, task, absent_users) is not None:
        return True
    return any(group_visible(actor, g, task.tenant_id) for g in task.candidate_groups or [])


def covers(actor: Actor, task: HumanTask, absent_user: str) -> bool:
    """Does ``actor``, substituting for ``absent_user``, reach ``task``? Assigned to the absent
    user, and of a role the substitute holds in the task's tenant (or of no group at all)."""
    if not absent_user or absent_user == actor.username or task.assignee != absent_user:
        return False
    groups = task.candidate_groups or []
    return not groups or any(group_visible(actor, g, task.tenant_id) for g in groups)


def covering_for(actor: Actor, task: HumanTask, absent_users: Collection[str]) -> str | None:
    """The absent colleague on whose behalf ``actor`` may work on ``task``, if any."""
    if task.assignee in absent_users and covers(actor, task, task.assignee):
        return task.assignee
    return None


def _group_clauses(actor: Actor) -> list[Any]:
    """SQL on ``TaskCandidate``: a group of the actor, in a tenant that group reaches."""
    city_groups = sorted(actor.roles & CITY_WIDE_ROLES)
    local_groups = sorted(actor.roles - CITY_WIDE_ROLES)
    clauses = []
    if city_groups:
        clauses.append(TaskCandidate.group_name.in_(city_groups))
    if local_groups:
        clauses.append(and_(TaskCandidate.group_name.in_(local_groups),
                            TaskCandidate.tenant_id == actor.tenant_id))
    return clauses


def candidate_criterion(actor: Actor) -> Any:
    """SQL criterion: open, unassigned tasks offered to one of the actor's groups in a tenant
    the group reaches. Uses the task_candidate index, never a JSON scan."""
    if actor.is_system:
        return HumanTask.assignee.is_(None)
    clauses = [*_group_clauses(actor), TaskCandidate.group_name == USER_PREFIX + actor.username]
    return and_(HumanTask.assignee.is_(None), exists(
        select(TaskCandidate.task_id).where(TaskCandidate.task_id == HumanTask.id, TaskCandidate.is_open,
                                            or_(*clauses))))


def covered_criterion(actor: Actor, absent_users: Collection[str]) -> Any:
    """SQL criterion, the list form of :func:`covers`: tasks assigned to one of ``absent_users``
    (colleagues the actor substitutes for right now) that are of a role the actor holds."""
    absent = sorted(set(absent_users) - {actor.username})
    if not absent:
        return false()
    clauses = _group_clauses(actor)
    any_group = exists(select(TaskCandidate.task_id).where(
        TaskCandidate.task_id == HumanTask.id, not_(TaskCandidate.group_name.startswith(USER_PREFIX))))
    mine = exists(select(TaskCandidate.task_id).where(TaskCandidate.task_id == HumanTask.id, or_(*clauses))) \
        if clauses else false()
    return and_(HumanTask.assignee.in_(absent), or_(not_(any_group), mine))
