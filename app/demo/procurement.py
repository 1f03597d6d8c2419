"""Demo 统采分签 round (procurement engineer): one solicitation from bdc to the demo districts, waiting
for their replies. Idempotent; skipped when the diagram is not deployed or bdc is missing."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import User
from app.calendar import service as calendar_service
from app.calendar.rules import local_date
from app.catalog import service as catalog_service
from app.demo import data
from app.procurement import rounds
from app.procurement.models import Solicitation
from app.security import Actor, all_tenants
from app.workflow.models import ProcessDefinition

STANDARDS = {"iaas": "可用性不低于 99.95%，故障 30 分钟内响应", "paas": "可用性不低于 99.9%，含备份与监控",
             "saas": "正版授权，含版本升级"}


def load(session: Session) -> int:
    if session.scalar(all_tenants(select(Solicitation.id).limit(1))) is not None:
        return 0
    deployed = session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == rounds.PROCESS_KEY).limit(1))
    bdc = session.scalar(select(User).where(User.username == "bdc"))
    if deployed is None or bdc is None:
        return 0
    now = clock.now()
    deadline = calendar_service.calendar(session).add_workdays(local_date(now), 20).day
    # P.4(2): the replies must reach the districts' budget proposals (end of October).
    budget_year = deadline.year + (1 if deadline <= date(deadline.year, 10, 31) else 2)
    items = list(catalog_service.items_in_force(session, "city", local_date(now)).values())[:4]
    if not items:
        return 0
    rounds.issue(session, Actor.of(bdc), title=f"{budget_year}年度市级政务云服务统一采购征询", budget_year=budget_year,
                 reply_deadline=deadline, districts=list(data.DEMO_DISTRICTS), now=now,
                 items=[{"item_code": i.code, "service_standard": STANDARDS.get(i.layer, "")} for i in items])
    return 1
