"""Evaluation tests: the evaluation diagram deployed, vendors with contracts in two districts, the
people who rate, review and are evaluated, and one clock (Friday 2025-10-10, after 2025Q3).

Two unit indicators are registered here for the tests (the real ones live in app/monitoring): their
scores come from :data:`UNIT_SCORES`, which a test fills by organisation.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.calendar import service as calendar_service
from app.evaluation.indicators import UNIT, indicator
from app.extensions import db as _db
from app.procurement.models import Contract, ContractItem
from app.security import SYSTEM, Actor
from app.workflow import deployment
from tests import builders

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 10, 10, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
Q3 = (date(2025, 7, 1), date(2025, 9, 30))
UNIT_SCORES: dict[str, dict[int, Decimal]] = {"test.unit_use": {}, "test.unit_rectify": {}}


@indicator("test.unit_use", subject=UNIT, label="Utilisation (test)")
def _unit_use(session, organisation_ids, start, end):
    return {k: v for k, v in UNIT_SCORES["test.unit_use"].items() if k in organisation_ids}


@indicator("test.unit_rectify", subject=UNIT, label="Rectification (test)")
def _unit_rectify(session, organisation_ids, start, end):
    return {k: v for k, v in UNIT_SCORES["test.unit_rectify"].items() if k in organisation_ids}


@pytest.fixture()
def frozen():
    with builders.frozen_at(T0) as source:
        yield source


@pytest.fixture()
def world(db, frozen):
    for scores in UNIT_SCORES.values():
        scores.clear()
    calendar_service.seed_from_package(_db.session)
    path = ROOT / "bpmn" / "efficiency_evaluation.bpmn"
    deployment.deploy(_db.session, SYSTEM, path.read_bytes(), path.name)
    _db.session.commit()
    return people()


def people() -> dict[str, object]:
    org = builders.organisation
    xh_unit = org(kind="district_unit", tenant="xuhui", code="xuhui.health", name="徐汇区卫健委")
    hp_unit = org(kind="district_unit", tenant="huangpu", code="huangpu.health", name="黄浦区卫健委")
    v1 = org(kind="vendor", tenant="city", code="vendor.a", name="云服务商甲")
    v2 = org(kind="vendor", tenant="city", code="vendor.b", name="云服务商乙")
    v3 = org(kind="vendor", tenant="city", code="vendor.c", name="云服务商丙")
    contract(v1, "xuhui")
    contract(v2, "huangpu")
    return {
        "unit": builders.user("xh.unit", roles="unit", org=xh_unit),
        "hp_unit": builders.user("hp.unit", roles="unit", org=hp_unit),
        "xh_operator": builders.user("xh.operator", roles="district.operator", tenant="xuhui"),
        "hp_operator": builders.user("hp.operator", roles="district.operator", tenant="huangpu"),
        "vendor1": builders.user("vendor.a.user", roles="vendor", org=v1),
        "vendor2": builders.user("vendor.b.user", roles="vendor", org=v2),
        "authority": builders.user("authority1", roles="authority"),
        "eitc": builders.user("eitc1", roles="eitc"),
        "bdc": builders.user("bdc1", roles="bdc"),
        "v1": v1, "v2": v2, "v3": v3, "xh_unit_org": xh_unit, "hp_unit_org": hp_unit,
    }


def contract(vendor, tenant: str, *, item_code: str = "IAAS-VCPU") -> Contract:
    found = Contract(tenant_id=tenant, number=f"HT-{tenant}-{vendor.code}", vendor_id=vendor.id,
                     starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31), signed_by="operator")
    found.items = [ContractItem(tenant_id=tenant, item_code=item_code, item_name="vCPU", pricing_unit="核·月",
                                pricing_type="unit", unit_price=Decimal("45"))]
    _db.session.add(found)
    _db.session.commit()
    return found


def actor(user) -> Actor:
    return Actor.of(user)


VENDOR_SCHEME = {
    "missing_policy": "reweight",
    "weights": [{"indicator": "vendor.service", "weight": "40"}, {"indicator": "vendor.delivery", "weight": "30"},
                {"indicator": "vendor.operation", "weight": "30"}],
    "grades": [{"grade": "优秀", "min_score": "90"}, {"grade": "良好", "min_score": "80"},
               {"grade": "合格", "min_score": "60"}, {"grade": "不合格", "min_score": "0"}],
    "bands": [{"min_score": "90", "max_score": "100", "coefficient": "1.00"},
              {"min_score": "80", "max_score": "90", "coefficient": "0.98"},
              {"min_score": "60", "max_score": "80", "coefficient": "0.95"},
              {"min_score": "0", "max_score": "60", "coefficient": "0.90"}],
}
UNIT_SCHEME = {
    "missing_policy": "fixed", "missing_score": "50",
    "weights": [{"indicator": "test.unit_use", "weight": "60"}, {"indicator": "test.unit_rectify", "weight": "40"}],
    "grades": [{"grade": "高效", "min_score": "85"}, {"grade": "一般", "min_score": "60"},
               {"grade": "低效", "min_score": "0"}],
}


class Api:
    """The API as each person of ``world`` uses it."""

    def __init__(self, client, auth, world):
        self.client, self.auth, self.world, self._headers = client, auth, world, {}

    def headers(self, who: str) -> dict[str, str]:
        if who not in self._headers:
            self._headers[who] = self.auth.headers(self.world[who].username)
        return self._headers[who]

    def call(self, who, method, path, body=None, status=None):
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

    def task(self, who: str, instance_id: int, element_id: str) -> str:
        items = self.get(who, "/tasks?scope=all&process_key=efficiency_evaluation")["items"]
        found = [t for t in items if t["instance_id"] == instance_id and t["element_id"] == element_id]
        assert found, (element_id, [t["element_id"] for t in items])
        return found[0]["id"]

    def complete(self, who: str, instance_id: int, element_id: str, data: dict, status: int = 200):
        task_id = self.task(who, instance_id, element_id)
        return self.post(who, f"/tasks/{task_id}/complete", {"data": data}, status=status)


@pytest.fixture()
def api(client, auth, world):
    return Api(client, auth, world)
