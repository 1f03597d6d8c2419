"""Shared by the onboarding processes: numbering, process start, per-step lookups."""
from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.security import Actor, all_tenants
from app.workflow import service as workflow_service

M = TypeVar("M")


def number(session: Session, record: Any, prefix: str, today: date) -> None:
    session.add(record)
    session.flush()
    record.number = f"{prefix}-{today.year}-{record.id:06d}"
    session.flush()


def start(session: Session, actor: Actor, record: Any, process_key: str, **variables: Any) -> None:
    instance = workflow_service.start_instance(
        session, actor, process_key=process_key, business_key=record.number, tenant_id=record.tenant_id,
        variables={"record_id": record.id, "record_no": record.number, "applicant": actor.username, **variables})
    record.instance_id = instance.id
    session.flush()


def for_step(session: Session, model: type[M], record_id: Any, tenant_id: Any) -> M:
    """The record a process step acts on, looked up in the instance's tenant only."""
    record = session.scalar(all_tenants(select(model).where(model.id == int(record_id),  # type: ignore[attr-defined]
                                                            model.tenant_id == str(tenant_id))))  # type: ignore[attr-defined]
    if record is None:
        raise NotFound(f"{model.__name__} {record_id} not found in {tenant_id}")
    return record


def by(actor: Any) -> str:
    return getattr(actor, "username", None) or "system"
