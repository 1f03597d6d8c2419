"""Timers on PostgreSQL: 10,000 due at one instant drained by scheduler processes, then the
lateness at a steady 100 timers/s through the real runner (APScheduler, wake-ups, polling).

    make bench BENCH_ARGS="--only timers"     (BENCH_DATABASE_URL or TEST_DATABASE_URL; the
                                               tables there are dropped and re-created)
    python -m bench --only timers --timers 10000 --processes 2 --rate 100 --steady-seconds 30

Targets (issue #4): drained within 30 s; p99 lateness <= 2 s at 100/s. The lateness target is
met with a wide margin; the drain is CPU-bound (about 3 ms of Python per fire, PostgreSQL's
own work on top, on 2 shared cores): see README "Benchmarks".

Per batch of 10 timers the scheduler sends: the claim (timers and their instances, locked,
one statement), the instances' open tasks and timers (one), one write per fired timer (the
step's rows and state as one statement), the commit.

The waiting instances are copies of one instance started through the engine (same state,
one pending timer each) so that setting up 10,000 takes a second; each copy fires through the
engine like any instance. Lateness is the timer row's ``fired_at - due_at``, ``fired_at``
being the clock reading of the step that fired it (its batch commits a few ms later).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
DIAGRAM = HERE / "diagrams" / "bench_timer_wait.bpmn"
PROCESS_KEY = "bench_timer_wait"


def parse(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench --only timers")
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=2)
    # The runner's default (SCHEDULER_TIMER_WORKERS): one thread runs Python while another waits
    # for PostgreSQL.
    parser.add_argument("--workers", type=int, default=2, help="timer threads per process")
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--steady-seconds", type=float, default=30.0)
    parser.add_argument("--worker", choices=["drain", "serve"], help=argparse.SUPPRESS)
    parser.add_argument("--go-file", help=argparse.SUPPRESS)
    known, _rest = parser.parse_known_args(args)  # the bench runner passes every module the same args
    return known


def make_app(url: str):
    import logging

    from app import create_app

    logging.getLogger("spiff").setLevel(logging.WARNING)
    return create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789",
                       "SCHEDULER_ENABLED": False})


# -- set-up ---------------------------------------------------------------------------------------
def reset(app) -> int:
    """Fresh tables, the diagram deployed, one instance waiting on one timer: its id."""
    from app.accounts import service as accounts_service
    from app.extensions import db
    from app.jobs import models as _jobs_models  # noqa: F401 - job_run in the metadata
    from app.security import SYSTEM
    from app.workflow import deployment
    from app.workflow import service as workflow_service

    with app.app_context():
        db.drop_all()
        db.create_all()
        accounts_service.ensure_tenants(db.session)
        deployment.deploy(db.session, SYSTEM, DIAGRAM.read_bytes(), DIAGRAM.name)
        due = datetime.now(UTC) + timedelta(days=365)  # the rows' due_at is set by copy_timers
        instance = workflow_service.start_instance(db.session, SYSTEM, process_key=PROCESS_KEY, tenant_id="city",
                                                   variables={"due": due.isoformat()})
        db.session.commit()
        return instance.id


def copy_timers(app, template_id: int, dues: list[datetime]) -> None:
    """One copy of the template instance per due time, with its timer row due then."""
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        db.session.execute(text("DELETE FROM workflow_timer WHERE instance_id <> :id"), {"id": template_id})
        db.session.execute(text("DELETE FROM audit_event WHERE instance_id <> :id"), {"id": template_id})
        db.session.execute(text("DELETE FROM process_instance WHERE id <> :id"), {"id": template_id})
        ids = db.session.execute(text("""
            INSERT INTO process_instance (definition_id, process_key, business_key, status, state,
                serializer_version, lock_version, started_by, started_at, updated_at, has_incident, audit_seq,
                audit_hash, tenant_id)
            SELECT definition_id, process_key, 'bench-' || g, status, state, serializer_version, lock_version,
                started_by, started_at, updated_at, has_incident, audit_seq, audit_hash, tenant_id
            FROM process_instance, generate_series(1, :n) AS g WHERE id = :id
            ORDER BY g RETURNING id"""), {"n": len(dues), "id": template_id}).scalars().all()
        template = db.session.execute(text(
            "SELECT task_id, element_id FROM workflow_timer WHERE instance_id = :id AND status = 'pending'"),
            {"id": template_id}).one()
        db.session.execute(text("""
            INSERT INTO workflow_timer (instance_id, tenant_id, task_id, element_id, due_at, due_provisional,
                status, created_at, attempts)
            VALUES (:instance_id, 'city', :task_id, :element_id, :due_at, false, 'pending', now(), 0)"""),
            [{"instance_id": i, "task_id": template.task_id, "element_id": template.element_id, "due_at": due}
             for i, due in zip(sorted(ids), dues, strict=True)])
        # The template keeps its own timer out of the way (a year from now).
        db.session.commit()
        db.session.execute(text("ANALYZE workflow_timer"))
        db.session.execute(text("ANALYZE process_instance"))
        db.session.commit()


def lateness(app, since_id: int) -> list[float]:
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        rows = db.session.execute(text(
            "SELECT EXTRACT(EPOCH FROM fired_at - due_at) FROM workflow_timer "
            "WHERE status = 'fired' AND instance_id <> :id"), {"id": since_id}).scalars().all()
        return sorted(float(r) for r in rows)


def pending(app, template_id: int) -> int:
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        count = db.session.execute(text("SELECT count(*) FROM workflow_timer WHERE status = 'pending' "
                                        "AND instance_id <> :id"), {"id": template_id}).scalar()
        db.session.rollback()
        return count


# -- the scheduler processes -------------------------------------------------------------------
def worker(args: argparse.Namespace) -> None:
    """Inside a child process: wait for the go file, then drain once or serve until done."""
    app = make_app(args.url)
    print("ready", flush=True)
    while args.go_file and not os.path.exists(args.go_file):
        time.sleep(0.005)
    if args.worker == "drain":
        from scheduler import timers

        result = timers.drain(app, workers=args.workers, batch=args.batch)
        print(json.dumps(result.as_dict()), flush=True)
        return
    from scheduler.runner import Runner

    runner = Runner(app, poll_seconds=5, workers=args.workers, batch=args.batch, periodic_jobs=False)
    runner.start()
    template_id = int(os.environ["BENCH_TEMPLATE_ID"])
    deadline = time.monotonic() + args.steady_seconds + 120
    while pending(app, template_id) and time.monotonic() < deadline:
        time.sleep(0.5)
    runner.shutdown()


def run_processes(args: argparse.Namespace, mode: str, template_id: int, before_go=None) -> float:
    """Start the processes, let them import, say go; seconds from go until all have exited."""
    with tempfile.TemporaryDirectory() as folder:
        go = Path(folder) / "go"
        command = [sys.executable, "-m", "bench.timers", "--worker", mode, "--go-file", str(go), "--url", args.url,
                   "--workers", str(args.workers), "--batch", str(args.batch),
                   "--steady-seconds", str(args.steady_seconds)]
        env = {**os.environ, "BENCH_TEMPLATE_ID": str(template_id)}
        procs = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=env)  # noqa: S603
                 for _ in range(args.processes)]
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready"
        if before_go is not None:
            before_go()
        started = time.monotonic()
        go.touch()
        for proc in procs:
            proc.wait()
            if proc.returncode != 0:
                raise SystemExit(f"a scheduler process failed ({proc.returncode})")
        return time.monotonic() - started


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main(argv: list[str]) -> None:
    args = parse(argv)
    if args.worker:
        worker(args)
        return
    if not args.url or not args.url.startswith("postgresql"):
        print("timers: skipped (needs PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL)")
        return
    app = make_app(args.url)
    template_id = reset(app)
    print(f"timers: {args.processes} scheduler processes × {args.workers} thread(s), batch {args.batch}, "
          f"{os.cpu_count()} CPUs")

    # 1. N timers due at the same instant: how long until all have fired?
    now = datetime.now(UTC)
    copy_timers(app, template_id, [now] * args.timers)
    drain_seconds = run_processes(args, "drain", template_id)
    left = pending(app, template_id)
    print(f"  drain: {args.timers} timers due at once fired in {drain_seconds:.1f} s "
          f"({args.timers / drain_seconds:.0f}/s), {left} left; target <= 30 s")

    # 2. A steady rate: lateness of each timer against its due time.
    count = int(args.rate * args.steady_seconds)
    dues: list[datetime] = []

    def schedule_from_now() -> None:
        start = datetime.now(UTC) + timedelta(seconds=2)
        dues.extend(start + timedelta(seconds=i / args.rate) for i in range(count))
        copy_timers(app, template_id, dues)

    run_processes(args, "serve", template_id, before_go=schedule_from_now)
    late = lateness(app, template_id)
    summary = {
        "timers_at_once": args.timers, "drain_seconds": round(drain_seconds, 2),
        "drain_rate_per_s": round(args.timers / drain_seconds, 1), "steady_rate_per_s": args.rate,
        "steady_timers": count, "steady_fired": len(late),
        "lateness_p50_s": round(percentile(late, 50), 3), "lateness_p99_s": round(percentile(late, 99), 3),
        "lateness_max_s": round(max(late, default=float("nan")), 3),
        "lateness_mean_s": round(statistics.fmean(late), 3) if late else None,
        "processes": args.processes, "workers": args.workers, "batch": args.batch, "cpus": os.cpu_count(),
    }
    print(f"  steady {args.rate:.0f}/s for {args.steady_seconds:.0f} s: {len(late)}/{count} fired; lateness "
          f"p50 {summary['lateness_p50_s']} s, p99 {summary['lateness_p99_s']} s, max {summary['lateness_max_s']} s; "
          "target p99 <= 2 s")
    print("  " + json.dumps(summary))


if __name__ == "__main__":
    main(sys.argv[1:])
