"""Several real scheduler processes on one PostgreSQL database: shared work, no double firing,
nothing lost when one is killed with SIGKILL in the middle of a batch."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.security import SYSTEM, all_tenants
from app.workflow import service as workflow_service
from app.workflow.models import AuditEvent, ProcessInstance, Timer
from tests.scheduler.conftest import clone_waiting_instances, deploy

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def postgres(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    return db


def waiting_timers(session, count: int) -> tuple[list[int], datetime]:
    """``count`` instances each waiting on one timer, all due at the same instant."""
    deploy(session, "sched_wait.bpmn")
    session.commit()
    due = datetime.now(UTC) + timedelta(hours=1)
    first = workflow_service.start_instance(session, SYSTEM, process_key="sched_wait", tenant_id="huangpu",
                                            variables={"due": due.isoformat()})
    session.flush()
    clone_waiting_instances(session, first.id, count - 1)
    session.commit()
    ids = list(session.scalars(all_tenants(select(Timer.id).where(Timer.status == "pending"))))
    assert len(ids) == count
    return ids, due


def spawn(url: str, now: datetime, tmp_path: Path, name: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.scheduler.proc", "--url", url, "--clock", now.isoformat(),
         "--out", str(tmp_path / f"{name}.json"), *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish(proc: subprocess.Popen, tmp_path: Path, name: str, timeout: float = 90) -> dict:
    _out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-3000:]
    return json.loads((tmp_path / f"{name}.json").read_text())


def fired_per_instance(session) -> Counter:
    session.expire_all()
    return Counter(session.scalars(all_tenants(select(AuditEvent.instance_id).where(
        AuditEvent.kind == "timer_fired"))))


def test_two_processes_fire_a_thousand_timers_each_exactly_once(postgres, database_url, tmp_path):
    session = postgres.session
    timer_ids, due = waiting_timers(session, 1000)
    go = tmp_path / "go"
    procs = {name: spawn(database_url, due + timedelta(seconds=1), tmp_path, name, "--go-file", str(go))
             for name in ("a", "b")}
    for proc in procs.values():  # both begin together, once their imports are done
        assert json.loads(proc.stdout.readline())["ready"]
    go.touch()
    reports = {name: finish(proc, tmp_path, name) for name, proc in procs.items()}

    a, b = set(reports["a"]["fired_ids"]), set(reports["b"]["fired_ids"])
    assert not a & b, "a timer was fired by both processes"
    assert a | b == set(timer_ids), "a timer was missed"
    assert a and b, f"the work was not shared: {len(a)} / {len(b)}"
    assert reports["a"]["failed"] == reports["b"]["failed"] == 0

    per_instance = fired_per_instance(session)
    assert len(per_instance) == 1000 and set(per_instance.values()) == {1}
    assert session.scalar(all_tenants(select(func.count()).select_from(Timer).where(Timer.status == "fired"))) == 1000
    assert session.scalar(all_tenants(select(func.count()).select_from(ProcessInstance).where(
        ProcessInstance.status == "completed"))) == 1000


def test_a_process_killed_mid_batch_loses_nothing_and_fires_nothing_twice(postgres, database_url, tmp_path):
    session = postgres.session
    _ids, due = waiting_timers(session, 200)
    now = due + timedelta(seconds=1)
    # Slow steps (20 ms each, inside the batch's transaction) so the kill lands mid-batch.
    victim = spawn(database_url, now, tmp_path, "victim", "--batch", "10", "--delay", "0.02")

    def fired() -> int:
        session.expire_all()
        return session.scalar(all_tenants(select(func.count()).select_from(Timer).where(Timer.status == "fired")))

    deadline = time.monotonic() + 60
    while fired() < 30 and time.monotonic() < deadline:
        assert victim.poll() is None, victim.communicate()[1][-3000:]
        time.sleep(0.05)
    time.sleep(0.09)  # well inside the next batch (10 × 20 ms)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(10)
    assert victim.returncode == -signal.SIGKILL
    committed = fired()
    assert 30 <= committed < 200
    assert committed % 10 == 0, "a batch is committed whole or not at all"

    # Another process picks up the rest, the killed batch included (PostgreSQL released its locks).
    for attempt in range(3):
        finish(spawn(database_url, now, tmp_path, f"rescuer{attempt}"), tmp_path, f"rescuer{attempt}")
        if fired() == 200:
            break
    per_instance = fired_per_instance(session)
    assert fired() == 200, "a timer was lost"
    assert len(per_instance) == 200 and set(per_instance.values()) == {1}, "a timer fired twice"
