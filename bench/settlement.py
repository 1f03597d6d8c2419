"""Settling a year for the whole city: 16 districts, 10,000 resources × 365 days = 3.65 M usage rows.

PostgreSQL from BENCH_DATABASE_URL or TEST_DATABASE_URL; the data goes to a dedicated database,
``yunguan_settlement_bench``, created for the run and dropped afterwards. The usage is generated on
the server (INSERT … SELECT over generate_series: one multi-row statement, no Python per row).

The world: a catalogue with a price change on 1 July, unit-price, licence and tiered items; half
the districts hold contracts with two vendors (locked prices, a published coefficient for the
second half-year); units outside the budget in four districts; 100 resources marked for DR.

Measured in the same run, each best of ``--repeat`` (default 3), alternating:
- ``aggregate``: the hand-written SQL a DBA would write — monthly totals per district and item;
- ``settle``: a year of monthly statements for every tenant (:func:`app.billing.service.draft_all`:
  the aggregate, prices, coefficients, DR split, statements and lines written), rolled back after;
- ``true-up``: the tiered items' annual true-up (清算) for every tenant.

    .venv/bin/python -m bench --only settlement [--repeat N] [--keep]
"""
from __future__ import annotations

import logging
import os
import time
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DATABASE = "yunguan_settlement_bench"
RESOURCES, YEAR = 10_000, 2025
ITEMS = (("IAAS-VCPU", "unit", "45"), ("IAAS-DISK", "unit", "0.8"), ("SW-OS", "licence", "120.5"),
         ("OSS", "tiered", "100"))
AGGREGATE = """
    SELECT tenant_id, item_code, date_trunc('month', day) AS month, sum(quantity)
    FROM usage_record WHERE day BETWEEN :start AND :end
    GROUP BY tenant_id, item_code, date_trunc('month', day)"""


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


def _seed(session) -> None:
    """Tenants, catalogue V1/V2, vendors, contracts, a coefficient, projects and 10,000 resources."""
    from app.accounts import service as accounts_service
    from app.accounts.models import Organisation
    from app.accounts.roles import DISTRICTS
    from app.catalog.models import APPROVED, CatalogItem, CatalogTier, CatalogVersion
    from app.evaluation.models import EfficiencyCoefficient
    from app.procurement.models import Contract, ContractItem

    accounts_service.ensure_tenants(session)
    for number, starts, factor in ((1, date(YEAR, 1, 1), Decimal(1)), (2, date(YEAR, 7, 1), Decimal("0.9"))):
        version = CatalogVersion(tenant_id="city", number=number, title="bench", status=APPROVED,
                                 effective_from=starts, proposed_by="bench")
        for code, kind, price in ITEMS:
            item = CatalogItem(tenant_id="city", code=code, layer="iaas", name=code, pricing_unit="",
                               unit_price=Decimal(price) * factor, pricing_type=kind,
                               tier_mode="graduated" if kind == "tiered" else None)
            if kind == "tiered":
                item.tiers = [CatalogTier(tenant_id="city", lower_bound=Decimal(b), unit_price=Decimal(p))
                              for b, p in (("0", "100"), ("1000000", "80"), ("10000000", "60"))]
            version.items.append(item)
        session.add(version)
    vendors = [Organisation(code=f"vendor{n}", name=f"vendor {n}", kind="vendor", tenant_id="city") for n in (1, 2)]
    session.add_all(vendors)
    session.flush()
    session.add(EfficiencyCoefficient(tenant_id="city", organisation_id=vendors[0].id, applies_from=date(YEAR, 7, 1),
                                      applies_to=date(YEAR, 12, 31), coefficient=Decimal("0.97"),
                                      published_by="bench"))
    for index, district in enumerate(DISTRICTS):
        if index % 2 == 0:  # P.4(4): half the districts signed contracts at locked prices
            contract = Contract(tenant_id=district, number=f"HT-{district}", vendor_id=vendors[index % 4 // 2].id,
                                starts_on=date(YEAR, 1, 1), ends_on=date(YEAR, 12, 31), signed_by="bench")
            contract.items = [ContractItem(tenant_id=district, item_code=code, item_name=code, pricing_unit="",
                                           pricing_type="unit", unit_price=Decimal(price) * Decimal("0.95"))
                              for code, _kind, price in ITEMS[:2]]
            session.add(contract)
    session.commit()


def _seed_resources(session) -> None:
    """Projects (one per district, plus an outside unit's in four districts) and the resources, in SQL."""
    session.execute(text("""
        INSERT INTO organisation (code, name, kind, tenant_id)
        SELECT code || '.unit', code, 'district_unit', code FROM tenant WHERE code <> 'city'
        UNION ALL SELECT code || '.outside', code || ' hospital', 'outside', code FROM tenant
            WHERE code IN ('huangpu', 'xuhui', 'pudong', 'minhang')"""))
    session.execute(text("""
        INSERT INTO project (code, name, description, organisation_id, status, mlps_level, periodic_load,
                             key_work, special_meeting, applied_by, applied_at, tenant_id)
        SELECT 'XM-' || o.code, o.name, '', o.id, 'approved', 2, '', false, '', 'bench', now(), o.tenant_id
        FROM organisation o WHERE o.kind IN ('district_unit', 'outside')"""))
    # 10,000 resources: 625 per district; every 25th of the four districts' belongs to the outside unit.
    session.execute(text("""
        INSERT INTO resource_allocation (number, project_id, item_code, item_name, pricing_unit, kind, quantity,
                                         state, external_access, created_at, updated_at, tenant_id)
        SELECT 'R-' || n, COALESCE(po.id, pd.id), i.code, i.code, '', 'formal', 1, 'open', false, now(), now(),
               t.code
        FROM generate_series(0, :resources - 1) n
        JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS k FROM tenant WHERE code <> 'city') t
          ON t.k = n % 16
        JOIN (SELECT * FROM (VALUES (0, 'IAAS-VCPU'), (1, 'IAAS-DISK'), (2, 'SW-OS'), (3, 'OSS')) v(k, code)) i
          ON i.k = (n / 16) % 4
        JOIN project pd ON pd.code = 'XM-' || t.code || '.unit'
        LEFT JOIN project po ON po.code = 'XM-' || t.code || '.outside' AND n % 25 = 0"""),
                    {"resources": RESOURCES})
    session.execute(text("""
        INSERT INTO settlement_dr_funding (allocation_id, funding, marked_by, marked_at, tenant_id)
        SELECT id, CASE WHEN id % 2 = 0 THEN 'shared' ELSE 'exclusive' END, 'bench', now(), tenant_id
        FROM resource_allocation WHERE item_code = 'IAAS-DISK' ORDER BY id LIMIT 100"""))
    session.commit()


def _load_usage(session) -> float:
    """3.65 M rows in one INSERT … SELECT; returns seconds."""
    started = time.perf_counter()
    session.execute(text("""
        INSERT INTO usage_record (tenant_id, allocation_id, item_code, day, quantity, source, received_at)
        SELECT a.tenant_id, a.id, a.item_code, d::date,
               CASE WHEN a.item_code = 'SW-OS' THEN 1 + a.id % 5
                    ELSE (a.id % 97 + 1 + (extract(doy FROM d)::int % 5) * 0.25) END, 'bench', now()
        FROM resource_allocation a
        CROSS JOIN generate_series(CAST(:start AS date), CAST(:end AS date), interval '1 day') d"""),
                    {"start": date(YEAR, 1, 1), "end": date(YEAR, 12, 31)})
    session.commit()
    session.execute(text("ANALYZE usage_record"))
    session.commit()
    return time.perf_counter() - started


def _aggregate(session) -> tuple[float, int]:
    started = time.perf_counter()
    rows = session.execute(text(AGGREGATE), {"start": date(YEAR, 1, 1), "end": date(YEAR, 12, 31)}).all()
    return time.perf_counter() - started, len(rows)


def _settle(session, kind: str) -> tuple[float, list]:
    from app.billing import service

    start, end = date(YEAR, 1, 1), date(YEAR, 12, 31)
    started = time.perf_counter()
    statements = service.draft_all(session, "bench", kind=kind, start=start, end=end,
                                   now=datetime(YEAR + 1, 1, 3, tzinfo=UTC))
    elapsed = time.perf_counter() - started
    figures = [(s.tenant_id, s.period_start, s.total,
                sum((line.quantity for line in s.lines if line.pricing_type != "licence"), Decimal(0)))
               for s in statements]
    session.rollback()  # measured; the next round starts from the same empty tables
    return elapsed, figures


def _check(session, monthly: list) -> None:
    """The statements bill every usage row of the summed items: their quantities equal the plain SUM."""
    expected = session.execute(text("SELECT sum(quantity) FROM usage_record WHERE item_code <> 'SW-OS'")).scalar_one()
    billed = sum((quantity for *_rest, quantity in monthly), Decimal(0))
    assert billed == expected, (billed, expected)
    assert len({(tenant, start) for tenant, start, *_rest in monthly}) == 16 * 12


def run(url: str, repeat: int) -> dict[str, float]:
    from app import create_app
    from app.billing.models import MONTHLY, TRUE_UP
    from app.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789", "TESTING": True,
                      "SCHEDULER_ENABLED": False})
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with app.app_context():
        db.create_all()
        session = db.session
        _seed(session)
        _seed_resources(session)
        load = _load_usage(session)
        rows = session.execute(text("SELECT count(*) FROM usage_record")).scalar_one()
        print(f"settlement: loaded {rows:,} usage rows in {load:.1f} s ({rows / load:,.0f} rows/s, "
              f"INSERT … SELECT with both indexes); load average {_load()}")
        best = {"aggregate": float("inf"), "settle": float("inf"), "true-up": float("inf")}
        for _round in range(repeat):
            elapsed, groups = _aggregate(session)
            best["aggregate"] = min(best["aggregate"], elapsed)
            elapsed, monthly = _settle(session, MONTHLY)
            best["settle"] = min(best["settle"], elapsed)
            elapsed, trued = _settle(session, TRUE_UP)
            best["true-up"] = min(best["true-up"], elapsed)
        _check(session, monthly)
        total = sum(Decimal(t) for _tenant, _start, t, _n in monthly)
        print(f"settlement: hand-written aggregate {best['aggregate']:.2f} s ({groups:,} groups); "
              f"a year of monthly statements {best['settle']:.2f} s ({len(monthly)} statements, "
              f"{total:,.2f} yuan) = {best['settle'] / best['aggregate']:.2f}× the aggregate "
              f"(target ≤ 2×); tiered true-up {best['true-up']:.2f} s ({len(trued)} statements); "
              f"best of {repeat}; load average {_load()}")
        session.remove()
        db.engine.dispose()
    best["ratio"] = best["settle"] / best["aggregate"]
    return best


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(args: list[str]) -> dict[str, float] | None:
    urls = _urls()
    if urls is None:
        print("settlement: skipped — set BENCH_DATABASE_URL or TEST_DATABASE_URL to a PostgreSQL server")
        return None
    repeat = int(args[args.index("--repeat") + 1]) if "--repeat" in args else 3
    keep = "--keep" in args  # leave the database for profiling; the next run recreates it
    admin_url, url = urls
    _admin(admin_url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    _admin(admin_url, f'CREATE DATABASE "{DATABASE}"')
    try:
        return run(url, repeat)
    finally:
        if not keep:
            _admin(admin_url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
