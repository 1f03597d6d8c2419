"""Objects in xuhui for the cross-tenant sweep (tests/foundation/test_isolation_sweep.py):
``PROBES = {..., **inbox_probes.PROBES}``. The task endpoints (tasks.TaskById …) are probed there."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.inbox import substitutes
from app.inbox.models import Notification
from app.security import Actor, all_tenants
from tests import builders


def xuhui_absence(client, auth) -> dict:
    absent = builders.user("xh.probe.op", roles="district.operator", tenant="xuhui")
    builders.user("xh.probe.op2", roles="district.operator", tenant="xuhui")
    today = clock.now().date()
    absence = substitutes.set_absence(db.session, Actor.of(absent), substitute="xh.probe.op2", starts_on=today,
                                      ends_on=today + timedelta(days=2))
    db.session.commit()
    return {"absence_id": absence.id}


def xuhui_notification(client, auth) -> dict:
    from tests.inbox.conftest import make_task

    builders.user("xh.probe.op", roles="district.operator", tenant="xuhui")
    task = make_task(tenant="xuhui")
    db.session.add(Notification(tenant_id="xuhui", username="xh.probe.op", kind="new_group_task", task_id=task.id,
                                task_name=task.name, process_key=task.process_key, created_at=clock.now()))
    db.session.commit()
    return {"notification_id": db.session.scalar(all_tenants(select(Notification.id)))}


PROBES = {"tasks.AbsenceById": xuhui_absence, "tasks.NotificationRead": xuhui_notification}
BODIES: dict[str, dict] = {}
MISSING = {"absence_id": 999999, "notification_id": 999999}
