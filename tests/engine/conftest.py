"""Engine test helpers: deploy a diagram from this folder, test handlers, act as users."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.extensions import db as _db
from app.security import SYSTEM
from app.workflow import deployment, handlers
from tests import builders

HERE = Path(__file__).parent
CALLS: list[tuple[str, dict]] = []
FAIL = {"record": False}


@handlers.handler("test.remind")
def _remind(ctx):
    CALLS.append(("remind", dict(ctx.data)))
    return {"reminded": True}


@handlers.handler("test.record")
def _record(ctx):
    from app.accounts.models import Organisation

    # A write that must vanish if the handler then fails.
    _db.session.add(Organisation(code=f"recorded-{ctx.instance_id}", name="x", kind="vendor", tenant_id="city"))
    _db.session.flush()
    if FAIL["record"]:
        raise RuntimeError("the records office is closed")
    CALLS.append(("record", dict(ctx.data)))
    return {"recorded": True}


@pytest.fixture(autouse=True)
def _reset_handlers():
    CALLS.clear()
    FAIL["record"] = False
    yield


@pytest.fixture(autouse=True)
def _forget_definitions():
    """Truncation restarts ids, so definition 1 of one test is not that of the next: forget the
    process-wide definition cache (the spec cache is keyed by content and may stay)."""
    from app.workflow import steps

    yield
    steps._definitions.clear()


def deploy_file(name: str, actor=SYSTEM):
    result = deployment.deploy(_db.session, actor, (HERE / name).read_bytes(), name)
    _db.session.commit()
    return result.definition


@pytest.fixture()
def review(db):
    return deploy_file("review_chain.bpmn")


@pytest.fixture()
def people(db):
    return {
        "bdc": builders.user("bdc1", roles="bdc"),
        "eitc": builders.user("eitc1", roles="eitc"),
        "unit": builders.user("unit.hp", roles="unit", tenant="huangpu"),
        "op_hp": builders.user("op.hp", roles="district.operator", tenant="huangpu"),
        "op_xh": builders.user("op.xh", roles="district.operator", tenant="xuhui"),
        "admin": builders.user("admin1", roles="admin"),
    }
