"""Demo data: a realistic catalogue and projects in several districts, loaded idempotently."""
from __future__ import annotations

from sqlalchemy import func, select

from app.catalog.models import CatalogItem, CatalogVersion
from app.projects.models import Project
from app.resources.models import Allocation
from app.security import all_tenants


def count(db, model) -> int:
    return db.session.scalar(all_tenants(select(func.count()).select_from(model)))


def test_demo_load_adds_catalogue_and_projects_once(runner, db):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    counts = [count(db, m) for m in (CatalogVersion, CatalogItem, Project, Allocation)]
    assert counts[0] == 1 and counts[1] >= 10 and counts[2] >= 4
    codes = set(db.session.scalars(all_tenants(select(CatalogItem.code))))
    assert {"IAAS-VCPU", "IAAS-MEM", "IAAS-SSD", "IAAS-OSS", "PAAS-RDS", "IAAS-BW", "SAAS-OS-LIC",
            "SAAS-DB-LIC"} <= codes
    tenants = set(db.session.scalars(all_tenants(select(Project.tenant_id))))
    assert {"huangpu", "xuhui", "pudong", "city"} <= tenants
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert [count(db, m) for m in (CatalogVersion, CatalogItem, Project, Allocation)] == counts


def test_demo_unit_sees_its_project_page(runner, client, auth, db):
    from app.demo import data

    runner.invoke(args=["demo", "load"])
    auth.login("pudong.unit", data.DEMO_PASSWORD)
    html = client.get("/resources/mine").get_data(as_text=True)
    assert "智慧养老服务平台" in html and 'aria-valuenow="117"' in html
    assert "区域健康信息平台" not in html  # huangpu's
