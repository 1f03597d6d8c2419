"""Governance tests: the three diagrams deployed, vendors, city bodies and units of two districts,
the attachment store in a temporary folder (documents are real uploads), and the frozen clock of
the resource tests (``frozen``: the app's clock and the engine's timers).

T0 is Monday 2025-09-22, 09:00 Shanghai, a week before the National Day holiday (1–8 October,
makeup workdays Sunday 28 September and Saturday 11 October).
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.calendar import service as calendar_service
from app.extensions import db as _db
from app.security import SYSTEM
from app.workflow import deployment
from tests import builders
from tests.attachments.conftest import PDF, store  # noqa: F401 - fixture
from tests.resources.conftest import T0, fire, frozen, open_element_ids, pending_timer  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = ("vendor_change", "security_incident", "security_drill")


@pytest.fixture()
def world(db, frozen, store):  # noqa: F811 - the fixtures imported above
    calendar_service.seed_from_package(_db.session)
    for key in DIAGRAMS:
        path = ROOT / "bpmn" / f"{key}.bpmn"
        deployment.deploy(_db.session, SYSTEM, path.read_bytes(), path.name)
    _db.session.commit()
    return people()


def people() -> dict[str, object]:
    vendor_a = builders.organisation(kind="vendor", tenant="city", code="vendor.a", name="甲云服务商")
    vendor_b = builders.organisation(kind="vendor", tenant="city", code="vendor.b", name="乙云服务商")
    xh_unit = builders.organisation(kind="district_unit", tenant="xuhui", code="xuhui.health", name="徐汇区卫健委")
    xh_other = builders.organisation(kind="district_unit", tenant="xuhui", code="xuhui.edu", name="徐汇区教育局")
    hp_unit = builders.organisation(kind="district_unit", tenant="huangpu", code="huangpu.health", name="黄浦区卫健委")
    city_unit = builders.organisation(kind="city_unit", tenant="city", code="city.edu", name="市教委")
    return {
        "vendor": builders.user("vendor.a1", roles="vendor", org=vendor_a),
        "vendor_colleague": builders.user("vendor.a2", roles="vendor", org=vendor_a),
        "vendor2": builders.user("vendor.b1", roles="vendor", org=vendor_b),
        "unit": builders.user("xh.unit", roles="unit", org=xh_unit),
        "other_unit": builders.user("xh.edu", roles="unit", org=xh_other),
        "hp_unit": builders.user("hp.unit", roles="unit", org=hp_unit),
        "city_unit": builders.user("city.unit", roles="unit", org=city_unit),
        "xh_authority": builders.user("xh.authority", roles="district.authority", tenant="xuhui"),
        "hp_authority": builders.user("hp.authority", roles="district.authority", tenant="huangpu"),
        "bdc": builders.user("bdc1", roles="bdc"),
        "eitc": builders.user("eitc1", roles="eitc"),
        "authority": builders.user("authority1", roles="authority"),
    }


class Api:
    """The API as each person of ``world`` uses it; ``step`` finds an open task on a record's page."""

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

    def upload(self, who: str, name: str = "document.pdf") -> int:
        """A document uploaded by ``who`` to the attachment store: its id."""
        response = self.client.post("/api/v1/attachments", headers=self.headers(who),
                                    data={"file": (io.BytesIO(PDF), name)}, content_type="multipart/form-data")
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def step(self, who: str, path: str, element_id: str) -> dict:
        detail = self.get(who, path)
        found = [s for s in detail["open_steps"] if s["element_id"] == element_id]
        assert found, f"{element_id} not open; open: {[s['element_id'] for s in detail['open_steps']]}"
        return found[0]

    def do(self, who: str, path: str, element_id: str, data: dict, status: int = 200) -> dict:
        task_id = self.step(who, path, element_id)["task_id"]
        return self.post(who, f"/tasks/{task_id}/complete", {"data": data}, status=status)


@pytest.fixture()
def api(client, auth, world):
    return Api(client, auth, world)
