"""Admins see waiting timers (instance, element, due, lateness) and job runs through the API."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app import create_app
from app.jobs.models import JobRun
from tests import builders
from tests.conftest import AuthActions
from tests.scheduler.conftest import T0, fake_instance, fake_timer


@pytest.fixture(scope="module")
def api_app(database_url):
    """The app as create_app builds it, plus the scheduler's blueprint if the factory does not
    register it yet (it should: see the report to the lead)."""
    from app.jobs.api import bp

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SCHEDULER_ENABLED": False,
                      "SECRET_KEY": "test-secret-key-not-for-production"})
    if bp.name not in app.blueprints:
        app.extensions["flask-smorest"]["apis"][""]["ext_obj"].register_blueprint(bp)
    yield app
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()


@pytest.fixture()
def api(api_app, db):
    client = api_app.test_client()
    return client, AuthActions(client)


def test_admins_see_pending_timers_with_their_lateness(api, db, frozen):
    client, auth = api
    builders.user("root", roles="admin")
    instance = fake_instance(db.session, tenant="xuhui")
    overdue = fake_timer(db.session, due_at=T0 - timedelta(minutes=90), instance=instance, element_id="Deadline")
    upcoming = fake_timer(db.session, due_at=T0 + timedelta(days=1))
    fake_timer(db.session, due_at=T0 - timedelta(days=1), status="fired")
    db.session.commit()
    headers = auth.headers("root")

    body = client.get("/api/v1/timers", headers=headers).get_json()

    assert body["total"] == 2
    first, second = body["items"]
    assert (first["id"], first["instance_id"], first["element_id"], first["tenant"]) == (
        overdue.id, instance.id, "Deadline", "xuhui")
    assert first["lateness_seconds"] == 5400 and first["process_key"] == "fake"
    assert (second["id"], second["lateness_seconds"], second["stuck"]) == (upcoming.id, None, False)
    overdue_only = client.get("/api/v1/timers?overdue=true", headers=headers).get_json()
    assert [t["id"] for t in overdue_only["items"]] == [overdue.id]


def test_timers_and_job_runs_are_for_admins_only(api, db):
    client, auth = api
    builders.user("clerk", roles="unit")
    headers = auth.headers("clerk")
    for path in ("/api/v1/timers", "/api/v1/job-runs", "/api/v1/jobs"):
        response = client.get(path, headers=headers)
        assert response.status_code == 403, path
        assert response.get_json()["error"]["code"] == "forbidden"


def test_an_admin_lets_a_stuck_timer_be_tried_again(api, db, frozen):
    client, auth = api
    builders.user("root", roles="admin")
    stuck = fake_timer(db.session, due_at=T0 - timedelta(hours=1), attempts=5)
    stuck.last_error = "RuntimeError: handler exploded"
    fired = fake_timer(db.session, due_at=T0 - timedelta(hours=1), status="fired")
    db.session.commit()
    headers = auth.headers("root")

    listed = client.get("/api/v1/timers", headers=headers).get_json()["items"]
    assert [(t["stuck"], t["attempts"], t["last_error"]) for t in listed] == [
        (True, 5, "RuntimeError: handler exploded")]

    response = client.post(f"/api/v1/timers/{stuck.id}/retry", headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {"id": stuck.id, "status": "pending", "attempts": 0}
    again = client.post(f"/api/v1/timers/{fired.id}/retry", headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "timer_not_pending"
    assert client.post("/api/v1/timers/999999/retry", headers=headers).status_code == 404


def test_job_runs_and_registered_jobs(api, db):
    client, auth = api
    builders.user("root", roles="admin")
    db.session.add_all([
        JobRun(job="calendar.next_year_check", status="ok", owner="h:1", started_at=T0,
               ended_at=T0 + timedelta(seconds=2), message="calendar complete for 2026"),
        JobRun(job="calendar.next_year_check", status="warning", owner="h:1", started_at=T0 + timedelta(days=1),
               ended_at=T0 + timedelta(days=1, seconds=1), message="the official holidays of 2027 …"),
    ])
    db.session.commit()
    headers = auth.headers("root")

    runs = client.get("/api/v1/job-runs", headers=headers).get_json()
    assert [(r["status"], r["duration_seconds"]) for r in runs] == [("warning", 1.0), ("ok", 2.0)]
    assert client.get("/api/v1/job-runs?status=ok", headers=headers).get_json()[0]["message"] == (
        "calendar complete for 2026")
    assert client.get("/api/v1/job-runs?status=nonsense", headers=headers).status_code == 422

    jobs = {j["name"]: j for j in client.get("/api/v1/jobs", headers=headers).get_json()}
    check = jobs["calendar.next_year_check"]
    assert check["schedule"] == "cron hour=9 minute=5"
    assert check["last_run"]["status"] == "warning"
    assert check["description"]
