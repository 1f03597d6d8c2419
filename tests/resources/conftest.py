"""Resource tests: the five diagrams of bpmn/ deployed, a city catalogue in force, people of three
tenants, and one clock for the app and the engine's timers.

The clock: tests run on dates around the 2025 National Day holiday (with its makeup workdays).
SpiffWorkflow compares a timer with ``datetime.now`` when it refreshes a workflow; the fixture makes
that follow ``app.clock`` too, so a timer is due exactly when the scheduler's clock says so, and
``fire_timer(session, timer_id, now=…)`` fires it as the scheduler would.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import select

from app.calendar import service as calendar_service
from app.catalog.models import APPROVED, CatalogItem, CatalogTier, CatalogVersion
from app.extensions import db as _db
from app.projects.models import APPROVED as PROJECT_APPROVED
from app.projects.models import Project, ProjectQuota
from app.security import SYSTEM, Actor, all_tenants
from app.workflow import deployment
from app.workflow import service as workflow_service
from app.workflow.models import HumanTask, Timer
from tests import builders

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = ("resource_application", "resource_expansion", "resource_reclaim", "special_resource",
            "catalogue_compilation")
# Monday 2025-09-22, 09:00 in Shanghai: a week before the National Day holiday (1–8 October,
# makeup workdays Sunday 28 September and Saturday 11 October).
T0 = datetime(2025, 9, 22, 1, 0, tzinfo=UTC)
_seq = count(1)

ITEMS = [
    # code, layer, name, unit, price
    ("IAAS-VCPU", "iaas", "云主机 vCPU", "核·月", "45.0000"),
    ("IAAS-MEM", "iaas", "云主机内存", "GB·月", "12.0000"),
    ("IAAS-DISK", "iaas", "块存储（SSD）", "GB·月", "0.8000"),
    ("PAAS-RDS", "paas", "关系型数据库 RDS（4核16G）", "实例·月", "1800.0000"),
]


@pytest.fixture()
def frozen():
    with builders.frozen_at(T0) as source:
        yield source


@pytest.fixture()
def world(db, frozen):
    """Calendar, diagrams, the city catalogue and the people every resource test uses."""
    calendar_service.seed_from_package(_db.session)
    for key in DIAGRAMS:
        path = ROOT / "bpmn" / f"{key}.bpmn"
        deployment.deploy(_db.session, SYSTEM, path.read_bytes(), path.name)
    catalogue("city", effective_from=date(2025, 1, 1))
    _db.session.commit()
    return people()


def people() -> dict[str, object]:
    xh_unit = builders.organisation(kind="district_unit", tenant="xuhui", code="xuhui.health", name="徐汇区卫健委")
    xh_other = builders.organisation(kind="district_unit", tenant="xuhui", code="xuhui.edu", name="徐汇区教育局")
    hp_unit = builders.organisation(kind="district_unit", tenant="huangpu", code="huangpu.health",
                                    name="黄浦区卫健委")
    city_unit = builders.organisation(kind="city_unit", tenant="city", code="city.edu", name="市教委")
    return {
        "unit": builders.user("xh.unit", roles="unit", org=xh_unit),
        "unit2": builders.user("xh.unit2", roles="unit", org=xh_unit),
        "other_unit": builders.user("xh.edu", roles="unit", org=xh_other),
        "hp_unit": builders.user("hp.unit", roles="unit", org=hp_unit),
        "hp_operator": builders.user("hp.operator", roles="district.operator", tenant="huangpu"),
        "xh_operator": builders.user("xh.operator", roles="district.operator", tenant="xuhui"),
        "xh_authority": builders.user("xh.authority", roles="district.authority", tenant="xuhui"),
        "city_unit": builders.user("city.unit", roles="unit", org=city_unit),
        "bdc": builders.user("bdc1", roles="bdc"),
        "eitc": builders.user("eitc1", roles="eitc"),
        "authority": builders.user("authority1", roles="authority"),
    }


def actor(user) -> Actor:
    return Actor.of(user)


# -- builders --------------------------------------------------------------------------------------
def catalogue(tenant: str, *, effective_from: date, number: int = 1, prices: dict[str, str] | None = None,
              tiered: bool = False) -> CatalogVersion:
    """An approved catalogue version written directly (the compilation process has its own tests)."""
    version = CatalogVersion(tenant_id=tenant, number=number, title="政务云服务目录", status=APPROVED,
                             effective_from=effective_from, proposed_by="bdc1", approved_at=T0)
    for sort, (code, layer, name, unit, price) in enumerate(ITEMS):
        price = (prices or {}).get(code, price)
        item = CatalogItem(tenant_id=tenant, code=code, layer=layer, name=name, pricing_unit=unit,
                           unit_price=Decimal(price), pricing_type="unit", sort=sort)
        version.items.append(item)
    if tiered:
        item = CatalogItem(tenant_id=tenant, code="OSS", layer="iaas", name="对象存储", pricing_unit="TB·月",
                           unit_price=Decimal("100"), pricing_type="tiered", tier_mode="graduated", sort=9)
        item.tiers = [CatalogTier(tenant_id=tenant, lower_bound=Decimal(b), unit_price=Decimal(p))
                      for b, p in (("0", "100"), ("100", "80"), ("500", "60"))]
        version.items.append(item)
    _db.session.add(version)
    _db.session.flush()
    return version


def approved_project(owner, *, quotas: dict[str, str] | None = None, status: str = PROJECT_APPROVED,
                     key_work: bool = False, special_meeting: str = "", name: str = "健康档案系统") -> Project:
    """A project whose quota eitc has approved, written directly (for rule and API tests)."""
    org = owner.organisation
    project = Project(tenant_id=org.tenant_id, code=f"XM-T-{next(_seq):05d}", name=name,
                      organisation_id=org.id, status=status, mlps_level=2, key_work=key_work,
                      special_meeting=special_meeting, applied_by=owner.username, approved_at=T0)
    for code, quantity in (quotas or {"IAAS-VCPU": "100", "IAAS-MEM": "400"}).items():
        name_, unit = next((n, u) for c, _l, n, u, _p in ITEMS if c == code)
        project.quotas.append(ProjectQuota(tenant_id=org.tenant_id, item_code=code, item_name=name_,
                                           pricing_unit=unit, quantity=Decimal(quantity)))
    _db.session.add(project)
    _db.session.commit()
    return project


def open_allocation(project: Project, item_code: str, quantity: str, *, kind: str = "formal"):
    """An open allocation held by ``project`` (as if opened through the application chain)."""
    from app.resources.models import OPEN, Allocation
    from app.resources.queries import allocation_number

    quota = project.quota_for(item_code)
    allocation = Allocation(tenant_id=project.tenant_id, number="", project_id=project.id, item_code=item_code,
                            item_name=quota.item_name if quota else item_code,
                            pricing_unit=quota.pricing_unit if quota else "", kind=kind,
                            quantity=Decimal(quantity), state=OPEN, starts_on=date(2025, 9, 1))
    _db.session.add(allocation)
    _db.session.flush()
    allocation.number = allocation_number(allocation)
    _db.session.commit()
    return allocation


# -- reading the engine's rows ---------------------------------------------------------------------------
def open_task(instance_id: int, element_id: str | None = None) -> HumanTask | None:
    stmt = all_tenants(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open"))
    if element_id:
        stmt = stmt.where(HumanTask.element_id == element_id)
    _db.session.expire_all()
    return _db.session.scalars(stmt.order_by(HumanTask.created_at)).first()


def open_element_ids(instance_id: int) -> list[str]:
    _db.session.expire_all()
    return sorted(_db.session.scalars(all_tenants(select(HumanTask.element_id).where(
        HumanTask.instance_id == instance_id, HumanTask.status == "open"))))


def pending_timer(instance_id: int, element_id: str) -> Timer:
    _db.session.expire_all()
    timer = _db.session.scalar(all_tenants(select(Timer).where(
        Timer.instance_id == instance_id, Timer.element_id == element_id, Timer.status == "pending")))
    assert timer is not None, f"no pending timer {element_id}"
    return timer


def fire(frozen, instance_id: int, element_id: str) -> Timer:
    """Move the scheduler's clock to the timer's due time and fire it as the scheduler does."""
    timer = pending_timer(instance_id, element_id)
    frozen.current = timer.due_at
    assert workflow_service.fire_timer(_db.session, timer.id, now=timer.due_at)
    _db.session.commit()
    return timer


# -- acting through the HTTP API ------------------------------------------------------------------------
class Api:
    """The API as each person of ``world`` uses it: ``api.as_("bdc").get(...)``, tasks completed by step."""

    def __init__(self, client, auth, world):
        self.client, self.auth, self.world, self._headers = client, auth, world, {}

    def headers(self, who: str) -> dict[str, str]:
        if who not in self._headers:
            self._headers[who] = self.auth.headers(self.world[who].username)
        return self._headers[who]

    def call(self, who: str, method: str, path: str, body=None, status: int | None = None):
        response = self.client.open(f"/api/v1{path}", method=method, headers=self.headers(who), json=body)
        if status is not None:
            assert response.status_code == status, (method, path, response.status_code, response.get_json())
        return response

    def get(self, who, path, status=200):
        return self.call(who, "GET", path, status=status).get_json()

    def post(self, who, path, body=None, status=201):
        return self.call(who, "POST", path, body or {}, status=status).get_json()

    def put(self, who, path, body, status=200):
        return self.call(who, "PUT", path, body, status=status).get_json()

    def step(self, who: str, application_id: int, element_id: str) -> dict:
        """The open task ``element_id`` of an application, as ``who`` sees it in the application."""
        detail = self.get(who, f"/resource-applications/{application_id}")
        found = [s for s in detail["open_steps"] if s["element_id"] == element_id]
        assert found, f"{element_id} not open; open: {[s['element_id'] for s in detail['open_steps']]}"
        return found[0]

    def complete(self, who: str, task_id: str, data: dict, status: int = 200):
        return self.post(who, f"/tasks/{task_id}/complete", {"data": data}, status=status)

    def do(self, who: str, application_id: int, element_id: str, data: dict) -> dict:
        return self.complete(who, self.step(who, application_id, element_id)["task_id"], data)


@pytest.fixture()
def api(client, auth, world):
    return Api(client, auth, world)
