"""Persistence of the engine: definitions, instances, and the derived rows queries read.

The serialized workflow in ``ProcessInstance.state`` is the truth for the engine; human
tasks, timers, incidents and audit events are derived rows written in the same commit, so
inboxes, dashboards and the scheduler never deserialize workflows (DESIGN §3).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, utcnow
from app.security import TenantScoped

BigId = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER keys


class ProcessDefinition(db.Model):
    """One deployed version of one diagram. Not tenant data: every tenant runs the same processes."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version"), UniqueConstraint("key", "digest"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200), default="")
    filename: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))
    xml: Mapped[str] = mapped_column(Text)
    # Forms as they were at deploy time, so running instances keep the form they started with.
    forms: Mapped[dict] = mapped_column(JSON, default=dict)
    # camunda:candidateStarterGroups: who may start it (empty: anyone logged in).
    starter_groups: Mapped[list] = mapped_column(JSON, default=list)
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)
    deployed_by: Mapped[str] = mapped_column(String(64))


class ProcessInstance(TenantScoped, db.Model):
    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_process_instance_key_status", "process_key", "status"),
        Index("ix_process_instance_business_key", "business_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(100))
    business_key: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="running")  # running|suspended|completed|cancelled
    state: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(16))
    # Optimistic lock: every step bumps it; a save that finds another value lost a race (409).
    lock_version: Mapped[int] = mapped_column(default=1)
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    has_incident: Mapped[bool] = mapped_column(default=False)
    audit_seq: Mapped[int] = mapped_column(default=0)
    audit_hash: Mapped[str] = mapped_column(String(64), default="")

    definition: Mapped[ProcessDefinition] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012 - SQLAlchemy's declarative hook


class HumanTask(TenantScoped, db.Model):
    """An open or finished user task, as the inbox sees it."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_open_due", "status", "tenant_id", "due_at"),
        Index("ix_human_task_assignee", "assignee", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the engine's task id
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instance.id", ondelete="CASCADE"),
                                             index=True)
    process_key: Mapped[str] = mapped_column(String(100))
    business_key: Mapped[str | None] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    documentation: Mapped[str | None] = mapped_column(Text)
    form_id: Mapped[str | None] = mapped_column(String(100))
    candidate_groups: Mapped[list] = mapped_column(JSON, default=list)
    candidate_users: Mapped[list] = mapped_column(JSON, default=list)
    assignee: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|completed|cancelled
    priority: Mapped[int] = mapped_column(default=50)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]
    due_provisional: Mapped[bool] = mapped_column(default=False)
    follow_up_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(64))


class TaskCandidate(db.Model):
    """One row per (task, candidate group or ``user:<name>``) so the inbox query is an indexed join, not a JSON scan."""

    __tablename__ = "task_candidate"
    __table_args__ = (Index("ix_task_candidate_group_open", "group_name", "tenant_id", "is_open", "due_at"),)

    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), primary_key=True)
    group_name: Mapped[str] = mapped_column(String(80), primary_key=True)  # a role, or "user:" + a username
    tenant_id: Mapped[str] = mapped_column(String(32))
    is_open: Mapped[bool] = mapped_column(default=True)
    due_at: Mapped[datetime | None]


class Timer(TenantScoped, db.Model):
    """A waiting timer. The row is the truth the scheduler acts on; APScheduler only decides when to look."""

    __tablename__ = "workflow_timer"
    # The claim reads pending rows in (due_at, id) order and stops at its batch size: with id in
    # the index it need not sort every pending row first (10,000 due at once, bench/timers.py).
    __table_args__ = (Index("ix_workflow_timer_claim", "status", "due_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instance.id", ondelete="CASCADE"),
                                             index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(100))
    due_at: Mapped[datetime]
    due_provisional: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|fired|cancelled
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fired_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class Incident(TenantScoped, db.Model):
    """A step that failed: handler, expression or script error. Retry after fixing the cause."""

    __tablename__ = "workflow_incident"
    __table_args__ = (Index("ix_workflow_incident_status", "status", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instance.id", ondelete="CASCADE"),
                                             index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(100))
    error_type: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    line: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|resolved
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(64))


class AuditEvent(TenantScoped, db.Model):
    """Append-only history of an instance. Each event carries the hash of the previous one for
    the same instance, so a changed or deleted row breaks the chain and is detected."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("instance_id", "seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instance.id", ondelete="CASCADE"))
    seq: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    element_id: Mapped[str | None] = mapped_column(String(100))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
