"""Monitoring tests: the resource world (calendar, catalogue, people of three tenants, one clock for
the app and the engine's timers) plus ``idle_warning`` deployed and a collector with an ``ingest`` token.

The clock stands at Monday 2025-09-22 09:00 in Shanghai; samples of the 30 days before it make a
full detection window (2025-08-23 … 2025-09-21).
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from app.extensions import db as _db
from app.jobs import registry
from app.security import SYSTEM
from app.workflow import deployment
from scheduler.jobs import run_job
from tests import builders
from tests.metering.conftest import collector_headers
from tests.resources.conftest import (  # noqa: F401 - fixtures
    T0,
    Api,
    approved_project,
    fire,
    frozen,
    open_allocation,
    world,
)

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2025, 9, 22)
WINDOW = [TODAY - timedelta(days=n) for n in range(30, 0, -1)]  # 2025-08-23 … 2025-09-21


@pytest.fixture()
def site(world, client, auth):  # noqa: F811 - the fixture imported above
    """idle_warning deployed; a xuhui system with two open resources, a busy one, a huangpu one."""
    path = ROOT / "bpmn" / "idle_warning.bpmn"
    deployment.deploy(_db.session, SYSTEM, path.read_bytes(), path.name)
    _db.session.commit()
    idle = approved_project(world["unit"], name="旧版预约系统")
    busy = approved_project(world["unit"], name="健康档案系统")
    other = approved_project(world["hp_unit"], name="黄浦系统")
    collector = builders.user("xh.collector", roles="district.operator", tenant="xuhui")
    city_collector = builders.user("city.collector", roles="bdc")
    return {
        "world": world, "idle": idle, "busy": busy, "other": other,
        "vcpu": open_allocation(idle, "IAAS-VCPU", "16"), "mem": open_allocation(idle, "IAAS-MEM", "64"),
        "busy_vcpu": open_allocation(busy, "IAAS-VCPU", "32"),
        "xh_headers": collector_headers(collector), "city_headers": collector_headers(city_collector),
        "admin": builders.user("admin1", roles="admin"),
    }


@pytest.fixture()
def api(client, auth, site):
    return Api(client, auth, {**site["world"], "admin": site["admin"]})


def sample(system, day: date, *, cpu="3", memory="20", disk="10", network="1.5", requests=0, logins=0,
           api_calls=0, hour: int = 12) -> dict:
    return {"system": system, "at": f"{day.isoformat()}T{hour:02d}:00:00+08:00", "cpu": cpu, "memory": memory,
            "disk_io": disk, "network_io": network, "requests": requests, "logins": logins, "api_calls": api_calls}


def idle_month(system) -> list[dict]:
    """30 quiet days: CPU 2, 3, 4 % in turn (average 3.00, peak 4.00), 1.5 MB of network, no traffic."""
    return [sample(system, day, cpu=str(2 + n % 3)) for n, day in enumerate(WINDOW)]


def busy_month(system) -> list[dict]:
    return [sample(system, day, cpu="55", network="900", requests=12000, logins=300, api_calls=4000)
            for day in WINDOW]


def send(client, headers, rows, status: int = 200) -> dict:
    response = client.post("/api/v1/utilisation", headers=headers, json={"rows": rows})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def daily_scan(app, now=T0):
    run = run_job(app, registry.get("monitoring.daily_scan"), now=now)
    assert run.status == "ok", (run.message, run.error)
    return run
