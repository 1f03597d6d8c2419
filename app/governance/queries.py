"""Details for the API and pages: a record with the steps its process waits on."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.governance import changes, drills, incidents
from app.security import Actor, scoped
from app.workflow.models import HumanTask


class Detail:
    """A row with extra attributes for one schema to dump; reads through to the row."""

    def __init__(self, row: Any, **extra: Any) -> None:
        self._row = row
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)


def open_steps(session: Session, actor: Actor, instance_id: int | None) -> list[HumanTask]:
    if instance_id is None:
        return []
    return list(session.scalars(scoped(actor, HumanTask, HumanTask.instance_id == instance_id,
                                       HumanTask.status == "open").order_by(HumanTask.created_at)))


def change_detail(session: Session, actor: Actor, change_id: int) -> Detail:
    change = changes.get(session, actor, change_id)
    return Detail(change, violations=changes.violations(session, actor, change.id),
                  open_steps=open_steps(session, actor, change.instance_id))


def incident_detail(session: Session, actor: Actor, incident_id: int) -> Detail:
    incident = incidents.get(session, actor, incident_id)
    return Detail(incident, open_steps=open_steps(session, actor, incident.instance_id))


def drill_detail(session: Session, actor: Actor, drill_id: int) -> Detail:
    drill = drills.get(session, actor, drill_id)
    return Detail(drill, open_steps=open_steps(session, actor, drill.instance_id))
