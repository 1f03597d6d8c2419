"""What the inbox keeps beside the engine's task rows: absences with a substitute, notifications,
and which task-level notices were sent.

Human tasks themselves are the workflow's derived rows (``app.workflow.models.HumanTask``); the
inbox never writes them except ``assignee`` (claim/unclaim).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.calendar.rules import local_date
from app.extensions import db, utcnow
from app.security import TenantScoped
from app.workflow.models import HumanTask, TaskCandidate

BigId = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER keys

# Kinds of notification, in the order a task meets them.
NEW_GROUP_TASK, ASSIGNED, DUE_SOON, OVERDUE = "new_group_task", "assigned", "due_soon", "overdue"
KINDS = (NEW_GROUP_TASK, ASSIGNED, DUE_SOON, OVERDUE)


class Absence(TenantScoped, db.Model):
    """A user away from ``starts_at`` to ``ends_at`` (exclusive) and the colleague covering.

    The substitute holds a role of the absent user in the same tenant (checked when the absence
    is set), so group tasks already reach them; what the absence adds is the absent user's own
    tasks (assigned to them, or offered to them by name) — see ``app.workflow.access``.
    """

    __tablename__ = "inbox_absence"
    __table_args__ = (
        Index("ix_inbox_absence_substitute", "substitute", "ends_at"),
        Index("ix_inbox_absence_user", "username", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    substitute: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None]

    @property
    def first_day(self) -> date:
        return local_date(self.starts_at)

    @property
    def last_day(self) -> date:
        """The last day of absence (``ends_at`` is 24:00 of it, i.e. 00:00 of the next day)."""
        return local_date(self.ends_at) - timedelta(days=1)


class Notification(TenantScoped, db.Model):
    """One message to one user about one task. The tenant is the task's, so the tenant guard
    applies to notifications exactly as to the tasks they point at.

    (user, task, kind) is unique: the scan that writes them can run twice without doubling any.
    """

    __tablename__ = "inbox_notification"
    __table_args__ = (
        UniqueConstraint("username", "task_id", "kind"),
        Index("ix_inbox_notification_user_unread", "username", "read_at", "created_at"),
        Index("ix_inbox_notification_task_kind", "task_id", "kind"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"))
    task_name: Mapped[str] = mapped_column(String(200))
    process_key: Mapped[str] = mapped_column(String(100))
    business_key: Mapped[str | None] = mapped_column(String(200))
    due_at: Mapped[datetime | None]
    # Set when the notice goes to a substitute: whose task it is.
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class TaskNotice(db.Model):
    """A task-level notice the scan has dealt with: ``new`` (its "new group task" / "assigned"
    notices), ``due_soon``, ``overdue``. The scan looks for tasks *without* such a row, so a task
    whose group has nobody in it is not examined again every minute; a task claimed before the
    scan saw it is marked ``new`` by the claim (nobody needs telling). Keyed by task, it holds no
    tenant data, so it is not tenant-scoped."""

    __tablename__ = "inbox_task_notice"

    NEW = "new"

    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipients: Mapped[int] = mapped_column(default=0)


# -- indexes the inbox's queries need on the engine's derived tables ---------------------------------
# Declared here, beside the queries that use them (app/inbox/service.py), and created by migration
# 0005. All partial (open rows only: a tenth of the table or less) and covering, so the group inbox
# is answered from small indexes without visiting the million-row heap (bench/inbox.py):
_OPEN_UNCLAIMED = "status = 'open' AND assignee IS NULL"
# the unclaimed tasks of one tenant (district users) and of all tenants (city roles), in due order;
Index("ix_inbox_task_unclaimed_tenant_due", HumanTask.tenant_id, HumanTask.due_at, HumanTask.id,
      postgresql_where=text(_OPEN_UNCLAIMED), sqlite_where=text(_OPEN_UNCLAIMED))
Index("ix_inbox_task_unclaimed_due", HumanTask.due_at, HumanTask.id,
      postgresql_where=text(_OPEN_UNCLAIMED), sqlite_where=text(_OPEN_UNCLAIMED))
# the same by id, and a group's open candidate rows by task id: a city role's count becomes a merge
# join that stops at the count's bound (1.5 ms instead of hashing the group's 25,000 rows);
Index("ix_inbox_task_unclaimed_id", HumanTask.id,
      postgresql_where=text(_OPEN_UNCLAIMED), sqlite_where=text(_OPEN_UNCLAIMED))
Index("ix_inbox_candidate_group_task", TaskCandidate.group_name, TaskCandidate.task_id,
      postgresql_include=["tenant_id"], postgresql_where=text("is_open"), sqlite_where=text("is_open"))
# a group's open candidate rows in a tenant, in due order, with the task id (district users).
Index("ix_inbox_candidate_open", TaskCandidate.group_name, TaskCandidate.tenant_id, TaskCandidate.due_at,
      TaskCandidate.task_id, postgresql_where=text("is_open"), sqlite_where=text("is_open"))
# "Done by me": a person's finished tasks, newest first, without scanning every finished task.
Index("ix_inbox_task_done_by", HumanTask.completed_by, HumanTask.completed_at,
      postgresql_where=text("status = 'completed'"), sqlite_where=text("status = 'completed'"))
