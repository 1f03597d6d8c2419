"""Who may see and work on a human task (CONTRACT "BPMN conventions").

A task names its candidate groups (role codes); the instance's tenant narrows them: a
district role only sees tasks of its own district, a city-wide role (``bdc``, ``eitc`` …)
sees its tasks in every district. ``camunda:assignee`` / ``candidateUsers`` name people.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, false, or_, select

from app.accounts.roles import CITY_WIDE_ROLES
from app.security import Actor
from app.workflow.models import HumanTask, TaskCandidate


def group_visible(actor: Actor, group: str, tenant_id: str) -> bool:
    if group not in actor.roles and not actor.is_system:
        return False
    return group in CITY_WIDE_ROLES or actor.tenant_id == tenant_id or actor.is_system


def can_work_on(actor: Actor, task: HumanTask, *, as_user: str | None = None) -> bool:
    """May ``actor`` claim or complete ``task``? (``as_user``: the absent colleague a substitute covers)"""
    username = as_user or actor.username
    if actor.is_system:
        return True
    if task.assignee:
        return task.assignee == username
    if username in (task.candidate_users or []):
        return True
    return any(group_visible(actor, g, task.tenant_id) for g in task.candidate_groups or [])


def candidate_criterion(actor: Actor) -> Any:
    """SQL criterion: open, unassigned tasks offered to one of the actor's groups in a tenant
    the group reaches. Uses the task_candidate index, never a JSON scan."""
    if actor.is_system:
        return HumanTask.assignee.is_(None)
    city_groups = sorted(actor.roles & CITY_WIDE_ROLES)
    local_groups = sorted(actor.roles - CITY_WIDE_ROLES)
    clauses = []
    if city_groups:
        clauses.append(TaskCandidate.group_name.in_(city_groups))
    if local_groups:
        clauses.append(and_(TaskCandidate.group_name.in_(local_groups),
                            TaskCandidate.tenant_id == actor.tenant_id))
    if not clauses:
        return false()
    return and_(HumanTask.assignee.is_(None), exists(
        select(TaskCandidate.task_id).where(TaskCandidate.task_id == HumanTask.id, TaskCandidate.is_open,
                                            or_(*clauses))))
