"""Usage ingestion at scale: one 100,000-row CSV upload through ``POST /api/v1/usage``.

PostgreSQL from BENCH_DATABASE_URL or TEST_DATABASE_URL; the data goes to a dedicated database,
``yunguan_ingest_bench``, created for the run and dropped afterwards. 1,000 resources in four
districts × 100 days; the file is sent through the Flask test client with a collector token
(``ingest`` scope), twice: the first run inserts, the second replaces every row (the upsert's
update path) and must leave the same total.

    .venv/bin/python -m bench --only ingest
"""
from __future__ import annotations

import io
import logging
import os
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

DATABASE = "yunguan_ingest_bench"
RESOURCES, DAYS = 1_000, 100
DISTRICTS = ("xuhui", "huangpu", "pudong", "minhang")
FIRST_DAY = date(2025, 6, 1)


def _urls() -> tuple[str, str] | None:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base:
        return None
    url = make_url(base).set(drivername="postgresql+psycopg")
    return url.set(database="postgres").render_as_string(False), url.set(database=DATABASE).render_as_string(False)


def _admin(admin_url: str, sql: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _seed(db) -> tuple[list[int], str]:
    """Tenants, the city catalogue, one project per district with its resources, a collector token."""
    from app.accounts import service as accounts_service
    from app.accounts.models import Organisation, User, UserRole
    from app.catalog.models import APPROVED, CatalogItem, CatalogVersion
    from app.projects.models import APPROVED as PROJECT_APPROVED
    from app.projects.models import Project
    from app.resources.models import OPEN, Allocation

    session = db.session
    accounts_service.ensure_tenants(session)
    version = CatalogVersion(tenant_id="city", number=1, title="bench", status=APPROVED,
                             effective_from=date(2025, 1, 1), proposed_by="bench")
    version.items.append(CatalogItem(tenant_id="city", code="IAAS-VCPU", layer="iaas", name="vCPU",
                                     pricing_unit="核·日", unit_price=Decimal("1.5"), pricing_type="unit"))
    session.add(version)
    bdc = Organisation(code="bdc.city", name="bdc", kind="bdc", tenant_id="city")
    collector = User(username="collector", display_name="collector", password_hash="!", organisation=bdc)
    collector.role_rows = [UserRole(role="bdc")]
    session.add(collector)
    ids: list[int] = []
    for index, district in enumerate(DISTRICTS):
        org = Organisation(code=f"{district}.unit", name=district, kind="district_unit", tenant_id=district)
        session.add(org)
        session.flush()
        project = Project(tenant_id=district, code=f"XM-B-{index}", name="bench", organisation_id=org.id,
                          status=PROJECT_APPROVED, applied_by="bench")
        session.add(project)
        session.flush()
        allocations = [Allocation(tenant_id=district, number=f"B-{index}-{n}", project_id=project.id,
                                  item_code="IAAS-VCPU", item_name="vCPU", pricing_unit="核·日", kind="formal",
                                  quantity=Decimal(16), state=OPEN) for n in range(RESOURCES // len(DISTRICTS))]
        session.add_all(allocations)
        session.flush()
        ids += [a.id for a in allocations]
    _token, clear = accounts_service.issue_token(session, collector, days=1, scopes={"ingest"})
    session.commit()
    return ids, clear


def _csv(ids: list[int]) -> tuple[bytes, Decimal]:
    lines, total = ["resource,item,day,quantity"], Decimal(0)
    for offset in range(DAYS):
        day = (FIRST_DAY + timedelta(days=offset)).isoformat()
        for ident in ids:
            quantity = Decimal(ident % 97) + Decimal(offset) / 100
            total += quantity
            lines.append(f"{ident},IAAS-VCPU,{day},{quantity}")
    return ("\n".join(lines) + "\n").encode(), total


def _upload(client, token: str, data: bytes) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.post("/api/v1/usage", headers={"Authorization": f"Bearer {token}"},
                           data={"file": (io.BytesIO(data), "usage.csv")}, content_type="multipart/form-data")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return elapsed, response.get_json()


def run(url: str) -> dict[str, float]:
    from app import clock, create_app
    from app.extensions import db
    from app.metering.models import UsageRecord
    from app.security import all_tenants

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789", "TESTING": True,
                      "SCHEDULER_ENABLED": False})
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    clock.set_source(lambda: datetime(2025, 9, 22, 1, 0, tzinfo=UTC))
    try:
        with app.app_context():
            db.create_all()
            ids, token = _seed(db)
            data, expected = _csv(ids)
            rows = len(ids) * DAYS
            client = app.test_client()
            figures = {}
            for label in ("insert", "replace"):
                elapsed, body = _upload(client, token, data)
                assert body["accepted"] == rows and not body["rejected"], body["rejected"][:3]
                total = db.session.scalar(all_tenants(select(func.sum(UsageRecord.quantity))))
                count = db.session.scalar(all_tenants(select(func.count(UsageRecord.id))))
                assert (count, Decimal(total)) == (rows, expected), (count, total, expected)
                figures[label] = rows / elapsed
                print(f"ingest {label}: {rows:,} rows, {len(data) / 1e6:.1f} MB CSV in {elapsed:.2f} s "
                      f"= {rows / elapsed:,.0f} rows/s")
            db.session.remove()
            db.engine.dispose()
    finally:
        clock.set_source(None)
    return figures


def main(args: list[str]) -> dict[str, float] | None:
    urls = _urls()
    if urls is None:
        print("ingest: skipped — set BENCH_DATABASE_URL or TEST_DATABASE_URL to a PostgreSQL server")
        return None
    admin_url, url = urls
    _admin(admin_url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    _admin(admin_url, f'CREATE DATABASE "{DATABASE}"')
    try:
        return run(url)
    finally:
        _admin(admin_url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
