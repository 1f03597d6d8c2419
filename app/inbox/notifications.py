"""In-app notifications: a new task for my group, a task assigned to me, due soon, overdue.

The engine writes task rows in its own transactions (pages, API, timers); a periodic scan
(``app.inbox.jobs``) turns what it finds into notifications, so no engine step waits for a
fan-out to everyone in a group. The scan is safe to run twice and in two processes at once:
a task is picked only while it has no ``TaskNotice`` of the kind, and (user, task, kind) is
unique. A notice goes to the task's assignee (and their substitute while they are away) or,
for an unclaimed task, to every active member of its candidate groups in the tenants the group
reaches (DESIGN §1) and to its candidate users.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.orm import Session

from app.accounts.models import Organisation, User, UserRole
from app.accounts.roles import CITY_WIDE_ROLES
from app.errors import NotFound
from app.inbox import substitutes
from app.inbox.due import DueRules
from app.inbox.models import ASSIGNED, DUE_SOON, NEW_GROUP_TASK, OVERDUE, Notification, TaskNotice
from app.security import Actor, all_tenants, scoped
from app.workflow.models import HumanTask

# New tasks older than this when first seen are not announced: turning the scan on for the
# first time, or after a long stop, must not flood every inbox with old news.
NEW_TASK_LOOKBACK = timedelta(days=3)
BATCH = 500  # tasks per kind per run: bounds one transaction; the next run continues


# -- reading, as the user ------------------------------------------------------------------------
@dataclass
class NotificationPage:
    items: list[Notification]
    total: int
    unread: int
    page: int
    per_page: int


def _own(actor: Actor) -> Any:
    return scoped(actor, Notification, Notification.username == actor.username)


def unread_count(session: Session, actor: Actor) -> int:
    stmt = _own(actor).where(Notification.read_at.is_(None)).with_only_columns(func.count())
    return session.scalar(stmt) or 0


def list_notifications(session: Session, actor: Actor, *, unread_only: bool = False, page: int = 1,
                       per_page: int = 30) -> NotificationPage:
    stmt = _own(actor)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    total = session.scalar(stmt.with_only_columns(func.count())) or 0
    items = session.scalars(stmt.order_by(Notification.created_at.desc(), Notification.id.desc())
                            .offset((page - 1) * per_page).limit(per_page)).all()
    return NotificationPage(list(items), total, unread_count(session, actor), page, per_page)


def mark_read(session: Session, actor: Actor, notification_id: int, *, now: datetime) -> Notification:
    """Mark one of the actor's notifications read (another user's is absent: 404)."""
    found = session.scalar(_own(actor).where(Notification.id == notification_id))
    if found is None:
        raise NotFound(f"Notification {notification_id} not found")
    if found.read_at is None:
        found.read_at = now
        session.flush()
    return found


def mark_all_read(session: Session, actor: Actor, *, now: datetime) -> int:
    ids = list(session.scalars(_own(actor).where(Notification.read_at.is_(None)).with_only_columns(Notification.id)))
    if ids:
        session.execute(update(Notification).where(Notification.id.in_(ids)).values(read_at=now)
                        .execution_options(synchronize_session=False))
    return len(ids)


# -- the scan, as the system -------------------------------------------------------------------
@dataclass
class ScanResult:
    tasks: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    notifications: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def summary(self) -> str:
        parts = [f"{kind}: {self.tasks[kind]} tasks, {self.notifications[kind]} notices"
                 for kind in ("new", DUE_SOON, OVERDUE) if self.tasks[kind]]
        return "; ".join(parts) or "nothing to notify"


def scan(session: Session, *, now: datetime, batch: int = BATCH) -> ScanResult:
    """Write the notifications that are due at ``now`` (the job wraps, logs and commits)."""
    result = ScanResult()
    rules = DueRules.current(session, now)
    audience = _Audience(session, now)
    pending = _without_notice(TaskNotice.NEW).where(HumanTask.created_at >= now - NEW_TASK_LOOKBACK)
    for task in session.scalars(pending.order_by(HumanTask.created_at, HumanTask.id).limit(batch)).all():
        kind = ASSIGNED if task.assignee else NEW_GROUP_TASK
        _notify(session, task, TaskNotice.NEW, kind, audience.of(task), now, result)
    soon = _without_notice(DUE_SOON).where(HumanTask.due_at > now, HumanTask.due_at < rules.soon_cutoff())
    for task in session.scalars(soon.order_by(HumanTask.due_at, HumanTask.id).limit(batch)).all():
        _notify(session, task, DUE_SOON, DUE_SOON, audience.of(task), now, result)
    late = _without_notice(OVERDUE).where(HumanTask.due_at <= now)
    for task in session.scalars(late.order_by(HumanTask.due_at, HumanTask.id).limit(batch)).all():
        _notify(session, task, OVERDUE, OVERDUE, audience.of(task), now, result)
    session.flush()
    return result


def _without_notice(kind: str) -> Any:
    noticed = exists(select(TaskNotice.task_id).where(TaskNotice.task_id == HumanTask.id, TaskNotice.kind == kind))
    return all_tenants(select(HumanTask).where(HumanTask.status == "open", ~noticed))


def _notify(session: Session, task: HumanTask, notice: str, kind: str, recipients: dict[str, str | None],
            now: datetime, result: ScanResult) -> None:
    already = set(session.scalars(all_tenants(select(Notification.username).where(
        Notification.task_id == task.id, Notification.kind == kind))))
    rows = [{"tenant_id": task.tenant_id, "username": username, "kind": kind, "task_id": task.id,
             "task_name": task.name, "process_key": task.process_key, "business_key": task.business_key,
             "due_at": task.due_at, "on_behalf_of": behalf, "created_at": now}
            for username, behalf in sorted(recipients.items()) if username not in already]
    if rows:
        session.execute(insert(Notification), rows)
    session.add(TaskNotice(task_id=task.id, kind=notice, sent_at=now, recipients=len(rows)))
    result.tasks[notice] += 1
    result.notifications[notice] += len(rows)


class _Audience:
    """Who hears about a task, with the group members and absences of one scan cached."""

    def __init__(self, session: Session, now: datetime):
        self.session, self.now = session, now
        self._members: dict[str, list[tuple[str, str]]] = {}  # role -> [(username, tenant)]
        self._roles: dict[str, set[str]] = {}  # username -> roles (for substitutes)

    def of(self, task: HumanTask) -> dict[str, str | None]:
        """username -> on whose behalf (None: their own task)."""
        groups = list(task.candidate_groups or [])
        if task.assignee:
            found: dict[str, str | None] = {task.assignee: None}
            substitute = substitutes.substitutes_of(self.session, {task.assignee}, self.now).get(task.assignee)
            if substitute and (not groups or self._roles_of(substitute) & set(groups)):
                found.setdefault(substitute, task.assignee)
            return found
        found = dict.fromkeys(task.candidate_users or [])
        for group in groups:
            for username, tenant in self._members_of(group):
                if group in CITY_WIDE_ROLES or tenant == task.tenant_id:
                    found.setdefault(username, None)
        return found

    def _members_of(self, role: str) -> list[tuple[str, str]]:
        if role not in self._members:
            self._members[role] = list(self.session.execute(
                select(User.username, Organisation.tenant_id).join(UserRole, UserRole.user_id == User.id)
                .join(Organisation, Organisation.id == User.organisation_id)
                .where(User.active, UserRole.role == role)).all())
        return self._members[role]

    def _roles_of(self, username: str) -> set[str]:
        if username not in self._roles:
            self._roles[username] = set(self.session.scalars(
                select(UserRole.role).join(User, User.id == UserRole.user_id).where(User.username == username)))
        return self._roles[username]
