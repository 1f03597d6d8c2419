"""Procurement tests: the round's diagram deployed, a city catalogue in force (with a software
licence item), two vendors, bdc, the procurement centre and the bodies of three districts.

The clock: Monday 1 September 2025, 09:00 in Shanghai; a round for the 2026 budget replies by
Friday 19 September. Timers fire through the scheduler's timer service on the app's clock.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.calendar import service as calendar_service
from app.catalog.models import CatalogItem
from app.extensions import db as _db
from app.security import SYSTEM, all_tenants
from app.workflow import deployment
from app.workflow.models import HumanTask
from scheduler import timers
from tests import builders
from tests.resources.conftest import catalogue

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 9, 1, 1, 0, tzinfo=UTC)  # Monday 1 September 2025, 09:00 Shanghai
DISTRICTS = ("huangpu", "xuhui", "pudong")


@pytest.fixture()
def frozen():
    with builders.frozen_at(T0) as source:
        yield source


@pytest.fixture()
def world(db, frozen):
    calendar_service.seed_from_package(_db.session)
    for name in ("procurement_solicitation.bpmn",):
        path = ROOT / "bpmn" / name
        deployment.deploy(_db.session, SYSTEM, path.read_bytes(), path.name)
    version = catalogue("city", effective_from=date(2025, 1, 1))
    version.items.append(CatalogItem(tenant_id="city", code="SAAS-OS", layer="saas", name="操作系统授权",
                                     content="服务器操作系统正版授权", pricing_unit="套·年",
                                     unit_price=Decimal("1500"), pricing_type="licence", sort=20))
    _db.session.commit()
    people = {"bdc": builders.user("bdc1", roles="bdc"),
              "procurement": builders.user("cg1", roles="procurement")}
    for district in DISTRICTS:
        for role, short in (("district.authority", "authority"), ("district.finance", "finance"),
                            ("district.operator", "operator")):
            people[f"{district}.{short}"] = builders.user(f"{district}.{short}", roles=role, tenant=district)
    people["vendor_a"] = builders.organisation(kind="vendor", tenant="city", code="vendor.a", name="云服务商甲")
    people["vendor_b"] = builders.organisation(kind="vendor", tenant="city", code="vendor.b", name="软件商乙")
    _db.session.commit()
    return people


class Api:
    """The API as each person of ``world`` uses it."""

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
        return response.get_json()

    def get(self, who, path, status=200):
        return self.call(who, "GET", path, status=status)

    def post(self, who, path, body=None, status=201):
        return self.call(who, "POST", path, body or {}, status=status)

    def put(self, who, path, body, status=200):
        return self.call(who, "PUT", path, body, status=status)

    def tasks(self, who: str, element_id: str) -> list[dict]:
        found = self.get(who, "/tasks?scope=candidate&process_key=procurement_solicitation")["items"]
        return [t for t in found if t["element_id"] == element_id]

    def complete(self, who: str, element_id: str, data: dict) -> dict:
        [task] = self.tasks(who, element_id)
        return self.post(who, f"/tasks/{task['id']}/complete", {"data": data}, status=200)


@pytest.fixture()
def api(client, auth, world):
    return Api(client, auth, world)


def fire_due(frozen, moment: datetime) -> int:
    """Move the clock and let the scheduler's timer service fire what is due."""
    frozen.current = moment
    fired = timers.fire_batch(_db.session, now=moment).fired
    _db.session.expire_all()
    return fired


def open_tasks(instance_id: int) -> list[tuple[str, str]]:
    _db.session.expire_all()
    return sorted(_db.session.execute(all_tenants(select(HumanTask.element_id, HumanTask.tenant_id).where(
        HumanTask.instance_id == instance_id, HumanTask.status == "open"))).all())


ISSUE = {"title": "2026年度市级政务云服务统一采购征询", "budget_year": 2026, "reply_deadline": "2025-09-19",
         "districts": list(DISTRICTS),
         "items": [{"item_code": "IAAS-VCPU", "estimated_unit_price": "40", "service_standard": "可用性 99.95%"},
                   {"item_code": "IAAS-MEM", "service_standard": "可用性 99.95%"},
                   {"item_code": "SAAS-OS", "estimated_unit_price": "1300", "service_standard": "正版授权，含升级"}]}
