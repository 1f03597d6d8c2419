"""Onboarding tests (M.7, M.11, M.30): the diagrams deployed, the attachment store in a temporary
folder, the people of tests/resources, and a helper that drives tasks through the HTTP API."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from app.calendar import service as calendar_service
from app.extensions import db as _db
from app.security import SYSTEM
from app.workflow import deployment
from tests import builders
from tests.attachments.conftest import PDF, store  # noqa: F401 - fixture
from tests.resources.conftest import (  # noqa: F401 - fixtures
    catalogue,
    frozen,
    open_element_ids,
    open_task,
    people,
)

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = ("resource_application", "golive_security", "dedicated_domain", "outside_applicant")


@pytest.fixture()
def world(db, frozen, store):  # noqa: F811
    calendar_service.seed_from_package(_db.session)
    for key in DIAGRAMS:
        path = ROOT / "bpmn" / f"{key}.bpmn"
        deployment.deploy(_db.session, SYSTEM, path.read_bytes(), path.name)
    catalogue("city", effective_from=date(2025, 1, 1))
    _db.session.commit()
    return {**people(), "vendor": builders.user("vendor1", roles="vendor")}


class Flow:
    """The API as each person of ``world`` uses it, tasks found by instance and element."""

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

    def upload(self, who: str, name: str = "evidence.pdf", data: bytes = PDF) -> int:
        response = self.client.post("/api/v1/attachments", headers=self.headers(who),
                                    data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def task(self, instance_id: int, element_id: str) -> str:
        task = open_task(instance_id, element_id)
        assert task is not None, f"{element_id} not open; open: {open_element_ids(instance_id)}"
        return task.id

    def complete(self, who: str, instance_id: int, element_id: str, data: dict, status: int = 200):
        task_id = self.task(instance_id, element_id)
        return self.call(who, "POST", f"/tasks/{task_id}/complete", {"data": data}, status=status)

    def variables(self, who: str, instance_id: int, element_id: str) -> dict:
        return self.get(who, f"/tasks/{self.task(instance_id, element_id)}")["data"]


@pytest.fixture()
def flow(client, auth, world):
    return Flow(client, auth, world)
