"""The quarterly job starts the evaluation of the quarter just ended through start_process (M.33);
running it twice starts nothing more, and a quarter already evaluated by hand is not evaluated twice."""
from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select

from app import clock
from app.evaluation import jobs
from app.evaluation.models import Evaluation
from app.extensions import db
from app.jobs.registry import JobContext, load
from app.security import all_tenants
from app.workflow.models import ProcessInstance
from tests.evaluation.conftest import VENDOR_SCHEME


def run_job():
    return jobs.quarterly_evaluation(JobContext(session=db.session, now=clock.now(), log=logging.getLogger("test")))


def test_quarterly_job_evaluates_the_previous_quarter_once(api, world):
    assert "evaluation.quarterly" in load()
    api.put("authority", "/evaluation-schemes/vendor", VENDOR_SCHEME)
    api.post("xh_operator", "/vendor-feedback", {"vendor_id": world["v1"].id, "period": "2025Q3", "rating": 5})
    message = run_job()
    db.session.commit()
    assert message.startswith("started efficiency_evaluation")
    assert "already started" in run_job()
    evaluation = db.session.scalar(select(Evaluation))
    assert (evaluation.period_start, evaluation.period_end, evaluation.started_by) == (
        date(2025, 7, 1), date(2025, 9, 30), "system")
    results = api.get("authority", f"/evaluations/{evaluation.id}/results")
    assert [(r["organisation"], r["score"], r["coefficient"]) for r in results] == [("云服务商甲", "100.00", "1.0000")]
    assert api.task("authority", evaluation.instance_id, "Task_AuthorityReview")


def test_a_quarter_started_by_hand_is_not_evaluated_again_by_the_job(api, world):
    by_hand = api.post("authority", "/evaluations", {"period_start": "2025-07-01", "period_end": "2025-09-30"})
    clock.set_source(clock.FrozenClock(clock.now().replace(hour=2)))
    run_job()
    db.session.commit()
    instances = db.session.scalars(all_tenants(select(ProcessInstance).order_by(ProcessInstance.id))).all()
    assert [i.status for i in instances] == ["running", "completed"]
    assert db.session.scalar(select(Evaluation)).instance_id == by_hand["instance_id"]
