"""The daily idle/zombie scan (M.25) over 10,000 systems × 30 days of samples, on PostgreSQL.

PostgreSQL from BENCH_DATABASE_URL or TEST_DATABASE_URL; the data goes to a dedicated database
(``<that database>_bench``), created for the run and dropped afterwards. 10,000 systems in four
districts, one open resource each (and one resource event, so the zombie rule's "no change" test
reads real rows); SAMPLES_PER_DAY samples per system and day for the 30 days before the scan day,
loaded with COPY. One system in 20 is idle. Measured, in seconds:

- ``rollup 30 days``: rebuilding every daily row from the raw samples (one INSERT … SELECT);
- ``daily job``: what the scheduler runs each night — roll up yesterday and today, scan both rules,
  start one ``idle_warning`` case per new finding (first run: 500 findings);
- ``scan SQL``: the two set-based detection statements alone, on a night with nothing new (median of 3).

    .venv/bin/python -m bench --only monitoring [--samples-per-day N]
"""
from __future__ import annotations

import logging
import os
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SYSTEMS, DAYS, DISTRICTS = 10_000, 30, ("xuhui", "huangpu", "pudong", "minhang")
IDLE_EVERY = 20
NOW = datetime(2025, 9, 22, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
TODAY = date(2025, 9, 22)
ROOT = Path(__file__).resolve().parent.parent


def _urls() -> tuple[str, str, str] | None:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base:
        return None
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"{url.database or 'yunguan'}_bench"
    return (url.set(database="postgres").render_as_string(False), url.set(database=name).render_as_string(False),
            name)


def _admin(admin_url: str, sql: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _seed(db) -> None:
    """Tenants, one unit per district, 10,000 systems with a resource and an old change each (multi-row inserts)."""
    from app.accounts import service as accounts_service
    from app.calendar import service as calendar_service
    from app.security import SYSTEM
    from app.workflow import deployment

    session = db.session
    accounts_service.ensure_tenants(session)
    calendar_service.seed_from_package(session)
    path = ROOT / "bpmn" / "idle_warning.bpmn"
    deployment.deploy(session, SYSTEM, path.read_bytes(), path.name)
    for n, district in enumerate(DISTRICTS, start=1):
        session.execute(text("INSERT INTO organisation (id, code, name, kind, tenant_id) "
                             "VALUES (:id, :code, :code, 'district_unit', :t)"), {"id": n, "code": f"{district}.unit",
                                                                                 "t": district})
    session.execute(text(
        "INSERT INTO project (id, tenant_id, code, name, description, organisation_id, status, mlps_level, "
        "periodic_load, key_work, special_meeting, applied_by, applied_at) "
        "SELECT g, (ARRAY['xuhui','huangpu','pudong','minhang'])[1 + g % 4], 'XM-B-' || g, 'system ' || g, '', "
        "1 + g % 4, 'approved', 2, '', false, '', 'bench', now() FROM generate_series(1, :n) g"), {"n": SYSTEMS})
    session.execute(text(
        "INSERT INTO resource_allocation (id, tenant_id, number, project_id, item_code, item_name, pricing_unit, kind, "
        "quantity, state, external_access, created_at, updated_at) "
        "SELECT g, (ARRAY['xuhui','huangpu','pudong','minhang'])[1 + g % 4], 'R-B-' || g, g, 'IAAS-VCPU', 'vCPU', "
        "'核·月', 'formal', 16, 'open', false, now(), now() FROM generate_series(1, :n) g"), {"n": SYSTEMS})
    session.execute(text(
        "INSERT INTO resource_event (tenant_id, allocation_id, at, actor, kind, note) "
        "SELECT (ARRAY['xuhui','huangpu','pudong','minhang'])[1 + g % 4], g, now() - interval '200 days', 'bench', "
        "'opened', '' FROM generate_series(1, :n) g"), {"n": SYSTEMS})
    for table in ("organisation", "project", "resource_allocation"):
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    session.commit()


def _copy_samples(db, per_day: int) -> int:
    """COPY the samples: idle systems at 2–4 % CPU without traffic, the others busy."""
    columns = ("tenant_id, project_id, at, day, cpu_pct, memory_pct, disk_io_mb, network_io_mb, requests, logins, "
               "api_calls, source, received_at")
    raw = db.engine.raw_connection()
    rows = 0
    try:
        with raw.cursor() as cur, cur.copy(f"COPY utilisation_sample ({columns}) FROM STDIN") as copy:
            for offset in range(DAYS, 0, -1):
                day = TODAY - timedelta(days=offset)
                moments = [datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=24 * k / per_day)
                           for k in range(per_day)]
                for system in range(1, SYSTEMS + 1):
                    tenant, idle = DISTRICTS[system % 4], system % IDLE_EVERY == 0
                    for k, at in enumerate(moments):
                        cpu = Decimal(2 + (system + k) % 3) if idle else Decimal(30 + (system + k) % 30)
                        traffic = 0 if idle else 100 + system % 50
                        copy.write_row((tenant, system, at, day, cpu, Decimal(40), Decimal(5),
                                        Decimal(1) if idle else Decimal(300), traffic, traffic // 10, traffic,
                                        "bench", NOW))
                        rows += 1
        raw.commit()
    finally:
        raw.close()
    return rows


def _timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _measure(app, db, figures: dict[str, float]) -> None:
    from app.jobs import registry
    from app.monitoring import detection, ingest, service
    from scheduler.jobs import run_job

    elapsed, written = _timed(lambda: ingest.rollup(db.session, day_from=TODAY - timedelta(days=DAYS), day_to=TODAY))
    db.session.commit()
    figures["rollup_30_days_s"] = elapsed
    print(f"  rollup 30 days: {written:,} daily rows in {elapsed:.2f} s   (load avg {_load()})")
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    elapsed, job = _timed(lambda: run_job(app, registry.get("monitoring.daily_scan"), now=NOW))
    assert job.status == "ok", job.error
    figures["daily_job_first_s"] = elapsed
    print(f"  daily job, first night: {elapsed:.2f} s — {job.message}   (load avg {_load()})")
    rules = service.ensure_rules(db.session)
    times = []
    for _ in range(3):
        elapsed, raised = _timed(lambda: detection.scan(db.session, rules, today=TODAY))
        assert raised == {"idle": 0, "zombie": 0}, raised
        times.append(elapsed)
    db.session.rollback()
    figures["scan_sql_s"] = statistics.median(times)
    print(f"  scan SQL, both rules, nothing new: median {figures['scan_sql_s']:.2f} s of "
          f"{', '.join(f'{t:.2f}' for t in times)}   (load avg {_load()})")
    elapsed, job = _timed(lambda: run_job(app, registry.get("monitoring.daily_scan"), now=NOW + timedelta(minutes=1)))
    figures["daily_job_repeat_s"] = elapsed
    print(f"  daily job, run again: {elapsed:.2f} s — {job.message}   (load avg {_load()})")


def run(url: str, per_day: int) -> dict[str, float]:
    from app import clock, create_app
    from app.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789", "TESTING": True,
                      "SCHEDULER_ENABLED": False})
    for name in ("app", "scheduler", "spiff"):
        logging.getLogger(name).setLevel(logging.WARNING)
    clock.set_source(lambda: NOW)
    figures: dict[str, float] = {}
    try:
        with app.app_context():
            db.create_all()
            _seed(db)
            load, rows = _timed(lambda: _copy_samples(db, per_day))
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            print(f"monitoring: {SYSTEMS:,} systems × {DAYS} days × {per_day}/day = {rows:,} samples "
                  f"COPY-loaded in {load:.1f} s")
            _measure(app, db, figures)
            db.session.remove()
            db.engine.dispose()
    finally:
        clock.set_source(None)
    return figures


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main(args: list[str]) -> dict[str, float] | None:
    urls = _urls()
    if urls is None:
        print("monitoring: skipped — set BENCH_DATABASE_URL or TEST_DATABASE_URL to a PostgreSQL server")
        return None
    per_day = int(args[args.index("--samples-per-day") + 1]) if "--samples-per-day" in args else 4
    admin_url, url, name = urls
    print(f"monitoring: load average before {_load()} (2 cores shared)")
    _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(admin_url, f'CREATE DATABASE "{name}"')
    try:
        return run(url, per_day)
    finally:
        _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
