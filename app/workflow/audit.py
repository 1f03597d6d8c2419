"""The audit trail: append-only events, each chained to the previous one by hash.

The instance row keeps the last sequence number and hash, so appending needs no read.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.security import Actor, all_tenants
from app.workflow.models import AuditEvent, ProcessInstance

GENESIS = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(prev_hash: str, *, instance_id: int, seq: int, at: datetime, actor: str,
               on_behalf_of: str | None, kind: str, element_id: str | None, details: dict) -> str:
    body = _canonical([prev_hash, instance_id, seq, at.isoformat(), actor, on_behalf_of, kind, element_id,
                       details])
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass
class PendingEvent:
    kind: str
    element_id: str | None
    details: dict
    actor: str
    on_behalf_of: str | None
    at: datetime


class AuditLog:
    """Collects the events of one step; ``take_rows`` chains them into rows the step writes at once."""

    def __init__(self, instance: ProcessInstance, actor: Actor, at: datetime, on_behalf_of: str | None = None):
        self.instance = instance
        self.actor = actor
        self.at = at
        self.on_behalf_of = on_behalf_of
        self.events: list[PendingEvent] = []

    def add(self, kind: str, element_id: str | None = None, **details: Any) -> None:
        self.events.append(PendingEvent(kind, element_id, details, self.actor.username, self.on_behalf_of, self.at))

    def take_rows(self) -> list[dict[str, Any]]:
        """The collected events as chained rows (the instance's last seq and hash move on)."""
        if not self.events:
            return []
        instance = self.instance
        seq, prev = instance.audit_seq or 0, instance.audit_hash or GENESIS
        rows = []
        for event in self.events:
            seq += 1
            details = json.loads(_canonical(event.details))  # what is stored is what was hashed
            digest = event_hash(prev, instance_id=instance.id, seq=seq, at=event.at, actor=event.actor,
                                on_behalf_of=event.on_behalf_of, kind=event.kind, element_id=event.element_id,
                                details=details)
            rows.append({"instance_id": instance.id, "tenant_id": instance.tenant_id, "seq": seq, "at": event.at,
                         "actor": event.actor, "on_behalf_of": event.on_behalf_of, "kind": event.kind,
                         "element_id": event.element_id, "details": details, "prev_hash": prev,
                         "hash": digest})
            prev = digest
        # Committed values, not changes: the step writes them with the state (steps._save_instance)
        # and an ORM flush must not find the instance dirty.
        set_committed_value(instance, "audit_seq", seq)
        set_committed_value(instance, "audit_hash", prev)
        self.events.clear()
        return rows


AUDIT_INSERT = insert(AuditEvent.__table__)


def verify_chain(session: Session, instance: ProcessInstance) -> tuple[bool, int | None]:
    """(intact, first bad seq). Detects edited rows, deleted rows and a truncated tail."""
    events = session.scalars(all_tenants(
        select(AuditEvent).where(AuditEvent.instance_id == instance.id).order_by(AuditEvent.seq))).all()
    prev, expected_seq = GENESIS, 1
    for event in events:
        if event.seq != expected_seq or event.prev_hash != prev:
            return False, expected_seq
        digest = event_hash(prev, instance_id=event.instance_id, seq=event.seq, at=event.at, actor=event.actor,
                            on_behalf_of=event.on_behalf_of, kind=event.kind, element_id=event.element_id,
                            details=event.details)
        if digest != event.hash:
            return False, event.seq
        prev, expected_seq = digest, expected_seq + 1
    if (instance.audit_seq or 0) != expected_seq - 1 or (instance.audit_hash or GENESIS) != prev:
        return False, expected_seq
    return True, None
