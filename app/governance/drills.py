"""Emergency drills (M.31): 政务云运行管理单位应当 … 定期组织开展应急演练.

A drill is started by its schedule (``jobs.py``: a periodic job starting ``security_drill``) or by
bdc by hand; bdc plans it, carries it out and records its findings, each with an owner and a date
by which it is put right.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.calendar.rules import local_date
from app.errors import NotFound, ValidationFailed
from app.governance.access import BDC, visible_drills
from app.governance.models import CLOSED, EXECUTING, PLANNING, RECORDING, DrillFinding, SecurityDrill
from app.security import Actor, all_tenants, require_role
from app.workflow import service as workflow_service

PROCESS = "security_drill"
CITY = "city"
FINDING = re.compile(r"\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*(\d{4}-\d{2}-\d{2})\s*")


def start(session: Session, actor: Actor, *, now: datetime, title: str = "") -> SecurityDrill:
    """bdc starts a drill outside the schedule."""
    require_role(actor, BDC)
    drill = open_drill(session, started_by=actor.username, now=now, title=title)
    instance = workflow_service.start_instance(session, actor, process_key=PROCESS, business_key=drill.number,
                                               tenant_id=CITY, variables={"drill_id": drill.id,
                                                                          "drill_no": drill.number})
    drill.instance_id = instance.id
    session.flush()
    return drill


def open_drill(session: Session, *, started_by: str, now: datetime, title: str = "",
               instance_id: int | None = None) -> SecurityDrill:
    drill = SecurityDrill(tenant_id=CITY, number="", title=title or "", status=PLANNING, started_by=started_by,
                          created_at=now, instance_id=instance_id)
    session.add(drill)
    session.flush()
    drill.number = f"DR-{local_date(now).year}-{drill.id:06d}"
    session.flush()
    return drill


def get(session: Session, actor: Actor, drill_id: int) -> SecurityDrill:
    drill = session.scalar(visible_drills(session, actor, SecurityDrill.id == drill_id))
    if drill is None:
        raise NotFound(_("No such drill."), code="not_found")
    return drill


def list_drills(session: Session, actor: Actor) -> list[SecurityDrill]:
    return list(session.scalars(visible_drills(session, actor).order_by(SecurityDrill.id.desc())))


# -- the process's steps ---------------------------------------------------------------------------
def for_step(session: Session, drill_id: int) -> SecurityDrill:
    drill = session.scalar(all_tenants(select(SecurityDrill).where(SecurityDrill.id == drill_id)))
    if drill is None:
        raise NotFound(f"drill {drill_id} not found")
    return drill


def planned(drill: SecurityDrill, data: dict[str, Any]) -> None:
    drill.title, drill.scenario = str(data.get("drill_title") or drill.title), str(data.get("scenario") or "")
    drill.planned_on = date.fromisoformat(str(data["planned_on"]))
    drill.participants, drill.status = str(data.get("participants") or ""), EXECUTING


def carried_out(drill: SecurityDrill, data: dict[str, Any], documents: list[int]) -> None:
    drill.executed_on = date.fromisoformat(str(data["executed_on"]))
    drill.summary, drill.status, drill.attachment_ids = str(data.get("drill_summary") or ""), RECORDING, documents


def parse_findings(text: str) -> list[tuple[str, str, date]]:
    """One finding a line: ``problem | owner | YYYY-MM-DD`` (the form's pattern checks the shape)."""
    found = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = FINDING.fullmatch(line)
        try:
            due = date.fromisoformat(match.group(3)) if match else None
        except ValueError:
            due = None
        if match is None or due is None:
            reason = _("Line %(n)s: write problem | owner | YYYY-MM-DD.", n=number)
            raise ValidationFailed(_("Some fields are invalid."), fields={"findings": [reason]})
        found.append((match.group(1), match.group(2), due))
    return found


def recorded(drill: SecurityDrill, findings: list[tuple[str, str, date]], *, now: datetime) -> None:
    drill.findings = [DrillFinding(tenant_id=drill.tenant_id, description=d, owner=o, due_on=due)
                      for d, o, due in findings]
    drill.status, drill.closed_at = CLOSED, now
