"""Run records of periodic jobs. A ``running`` record doubles as the job's lock across processes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

BigId = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER keys
RUNNING = "running"
OUTCOMES = ("running", "ok", "warning", "failed", "abandoned")


class JobRun(db.Model):
    """One run of one periodic job: start, end, outcome, what it said and how it failed.

    Not tenant data: jobs are the system's own work. The partial unique index makes the
    record the lock (habit 6: a job cannot run twice at once): a second process inserting a
    ``running`` row for the same job fails on PostgreSQL and SQLite alike, and a crashed run
    is released by marking its row ``abandoned`` (see ``app.jobs.service.begin_run``).
    """

    __tablename__ = "job_run"
    __table_args__ = (
        Index("ix_job_run_job_started", "job", "started_at"),
        Index("uq_job_run_running", "job", unique=True,
              postgresql_where=text("status = 'running'"), sqlite_where=text("status = 'running'")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default=RUNNING)  # running|ok|warning|failed|abandoned
    trigger: Mapped[str] = mapped_column(String(16), default="schedule")  # schedule|manual
    owner: Mapped[str] = mapped_column(String(120))  # host:pid of the process that ran it
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    message: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)

    @property
    def duration_seconds(self) -> float | None:
        if self.ended_at is None:
            return None
        return round((self.ended_at - self.started_at).total_seconds(), 3)
