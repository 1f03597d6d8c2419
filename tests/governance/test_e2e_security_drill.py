"""security_drill end to end (M.31): started by its quarterly schedule (the periodic job the
scheduler runs), planned, carried out and closed with findings that each have an owner and a date."""
from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select

from app.jobs import registry
from app.jobs.models import JobRun
from app.security import all_tenants
from app.workflow.models import ProcessInstance
from scheduler.jobs import run_job
from tests.governance.conftest import open_element_ids

# The job's schedule: quarterly on the 15th at 09:00 Shanghai.
JANUARY_15 = datetime(2026, 1, 15, 1, 0, tzinfo=UTC)


def path(drill: dict) -> str:
    return f"/security-drills/{drill['id']}"


def test_the_schedule_falls_quarterly_on_the_15th():
    spec = registry.load()["governance.security_drill"]
    trigger = CronTrigger(timezone="Asia/Shanghai", **spec.schedule)
    first = trigger.get_next_fire_time(None, datetime(2025, 9, 22, 1, 0, tzinfo=UTC))
    assert first.astimezone(UTC) == datetime(2025, 10, 15, 1, 0, tzinfo=UTC)
    second = trigger.get_next_fire_time(first, first.replace(second=1))
    assert second.astimezone(UTC) == JANUARY_15


def test_a_drill_started_by_its_schedule_is_planned_carried_out_and_closed(app, api, frozen, world, db):
    frozen.current = JANUARY_15
    spec = registry.load()["governance.security_drill"]
    run = run_job(app, spec, now=JANUARY_15)
    assert run.status == "ok" and run.message.startswith("started security_drill instance")
    # Running the same occurrence again (by hand, after a crash) starts nothing.
    assert "already started" in run_job(app, spec, now=JANUARY_15, trigger="manual").message
    db.session.expire_all()
    instances = db.session.scalars(all_tenants(select(ProcessInstance).where(
        ProcessInstance.process_key == "security_drill"))).all()
    assert [i.business_key for i in instances] == ["governance.security_drill@2026-01-15T09:00"]
    assert db.session.scalar(select(JobRun.status).where(JobRun.job == spec.name).limit(1)) == "ok"

    [drill] = api.get("bdc", "/security-drills")
    assert (drill["status"], drill["started_by"], drill["number"]) == ("planning", "governance.security_drill",
                                                                     f"DR-2026-{drill['id']:06d}")
    assert open_element_ids(drill["instance_id"]) == ["Task_Plan"]
    api.do("bdc", path(drill), "Task_Plan", {"drill_title": "勒索病毒应急演练", "scenario": "核心数据库被加密",
                                             "planned_on": "2026-01-22", "participants": "市大数据中心、甲云服务商"})
    record = api.upload("bdc", "drill-record.pdf")
    api.do("bdc", path(drill), "Task_CarryOut", {"executed_on": "2026-01-22", "drill_summary": "按预案完成恢复",
                                                 "drill_attachment_ids": f"{record}"})
    # A finding without its owner or date goes back with the line named.
    api.do("bdc", path(drill), "Task_Findings", {"findings": "备份恢复超时 | 甲云服务商 | 2026-02-28\n告警未推送"})
    task = api.get("bdc", f"/tasks/{api.step('bdc', path(drill), 'Task_Findings')['task_id']}")
    assert task["data"]["findings_problem"] == "Line 2: write problem | owner | YYYY-MM-DD."
    api.do("bdc", path(drill), "Task_Findings", {"findings": "备份恢复超时 | 甲云服务商 | 2026-02-28\n"
                                                             "告警未推送值班人员 | 市大数据中心 | 2026-03-15\n"})

    closed = api.get("authority", path(drill))
    assert (closed["status"], closed["title"], closed["planned_on"], closed["executed_on"]) == (
        "closed", "勒索病毒应急演练", "2026-01-22", "2026-01-22")
    assert [(f["description"], f["owner"], f["due_on"]) for f in closed["findings"]] == [
        ("备份恢复超时", "甲云服务商", "2026-02-28"), ("告警未推送值班人员", "市大数据中心", "2026-03-15")]
    assert (closed["attachment_ids"], closed["open_steps"]) == ([record], [])


def test_bdc_starts_a_drill_by_hand_and_others_cannot(api, frozen, world):
    drill = api.post("bdc", "/security-drills", {"title": "断网演练"})
    assert (drill["started_by"], drill["title"], drill["status"]) == ("bdc1", "断网演练", "planning")
    assert open_element_ids(drill["instance_id"]) == ["Task_Plan"]
    api.call("unit", "POST", "/security-drills", {}, status=403)
    api.call("unit", "GET", path(drill), status=404)
    assert api.get("unit", "/security-drills") == []
    assert [d["id"] for d in api.get("vendor", "/security-drills")] == [drill["id"]]
