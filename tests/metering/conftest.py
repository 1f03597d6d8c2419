"""Metering tests: the city catalogue, resources in two districts, collectors with ``ingest`` tokens.

The clock stands at Monday 2025-09-22 in Shanghai; usage of that day and earlier is accepted.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.accounts import service as accounts_service
from app.extensions import db as _db
from tests import builders
from tests.resources.conftest import approved_project, catalogue, open_allocation

T0 = datetime(2025, 9, 22, 1, 0, tzinfo=UTC)
TODAY = date(2025, 9, 22)


@pytest.fixture()
def frozen():
    with builders.frozen_at(T0) as source:
        yield source


def collector_headers(user) -> dict[str, str]:
    """A collector's API token: limited to the ``ingest`` scope, issued as an admin would."""
    _token, clear = accounts_service.issue_token(_db.session, user, days=30, name="collector", scopes={"ingest"})
    _db.session.commit()
    return {"Authorization": f"Bearer {clear}"}


@pytest.fixture()
def site(db, frozen):
    """Two xuhui resources, one huangpu resource, and who sends or reads their usage."""
    catalogue("city", effective_from=date(2025, 1, 1))
    xh_org = builders.organisation(kind="district_unit", tenant="xuhui", code="xuhui.health", name="徐汇区卫健委")
    hp_org = builders.organisation(kind="district_unit", tenant="huangpu", code="huangpu.health", name="黄浦区卫健委")
    xh_unit = builders.user("xh.unit", roles="unit", org=xh_org)
    hp_unit = builders.user("hp.unit", roles="unit", org=hp_org)
    xh_project = approved_project(xh_unit)
    hp_project = approved_project(hp_unit)
    people = {
        "xh_unit": xh_unit,
        "xh_collector": builders.user("xh.collector", roles="district.operator", tenant="xuhui"),
        "city_collector": builders.user("city.collector", roles="bdc"),
        "admin": builders.user("admin1", roles="admin"),
    }
    return {
        **people,
        "vcpu": open_allocation(xh_project, "IAAS-VCPU", "16"),
        "mem": open_allocation(xh_project, "IAAS-MEM", "64"),
        "hp_vcpu": open_allocation(hp_project, "IAAS-VCPU", "8"),
        "xh_headers": collector_headers(people["xh_collector"]),
        "city_headers": collector_headers(people["city_collector"]),
    }
