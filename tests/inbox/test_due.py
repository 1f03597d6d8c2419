"""Due badges in PRC working days, filters and sorting of the lists."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.calendar import service as calendar_service
from app.calendar.rules import SHANGHAI
from app.inbox import service
from app.inbox.due import DueRules
from tests.inbox.conftest import actor, make_task


def at(y: int, m: int, d: int, h: int = 18) -> datetime:
    return datetime(y, m, d, h, tzinfo=SHANGHAI)


@pytest.fixture()
def calendar(db):
    calendar_service.seed_from_package(db.session)
    db.session.commit()
    yield
    calendar_service.invalidate()  # the tables are truncated after the test; the cache must not outlive them


def rules(db, now: datetime, threshold: int = 2) -> DueRules:
    return DueRules(calendar_service.calendar(db.session, max_age=0), now, threshold)


def test_due_soon_counts_working_days_across_weekends(db, calendar):
    wednesday = at(2025, 11, 19, 9)
    r = rules(db, wednesday)
    assert r.state(at(2025, 11, 21)).status == "soon"  # Friday: 2 working days
    assert r.state(at(2025, 11, 22)).status == "soon"  # Saturday: still 2 working days
    assert r.state(at(2025, 11, 24)).status == "later"  # Monday: 3
    assert r.state(at(2025, 11, 24)).workdays_left == 3
    assert r.state(at(2025, 11, 19, 17)).status == "soon" and r.state(at(2025, 11, 19, 17)).workdays_left == 0
    late = r.state(at(2025, 11, 17, 10))  # Monday before
    assert late.status == "overdue" and late.workdays_left == -2
    assert r.state(None).status == "none" and r.state(at(2025, 11, 17), is_open=False).status == "none"
    assert r.soon_cutoff() == at(2025, 11, 24, 0)


def test_holidays_and_makeup_days_count_as_the_state_council_says(db, calendar):
    r = rules(db, at(2025, 9, 30, 9))  # the day before the National Day holiday (1–8 October 2025)
    assert r.state(at(2025, 10, 9)).workdays_left == 1 and r.state(at(2025, 10, 9)).soon
    assert r.state(at(2025, 10, 11)).workdays_left == 3  # Saturday 11 October is a makeup working day
    assert r.state(at(2025, 10, 13)).status == "later"


def test_threshold_is_configurable(app, db, calendar):
    app.config["INBOX_DUE_SOON_WORKDAYS"] = 0
    try:
        r = DueRules.current(db.session, at(2025, 11, 19, 9))
        assert r.threshold == 0 and r.state(at(2025, 11, 20)).status == "later"
        assert r.state(at(2025, 11, 19, 20)).status == "soon"
    finally:
        del app.config["INBOX_DUE_SOON_WORKDAYS"]
    assert DueRules.current(db.session, at(2025, 11, 19, 9)).threshold == 2


def test_provisional_calendar_year_is_flagged(db, calendar):
    far = rules(db, at(2026, 12, 30, 9)).state(at(2027, 1, 4))
    assert far.provisional


def test_filters_and_sorting(db, people, frozen, calendar):
    now = clock.now()
    soon = make_task(due_at=now + timedelta(days=1), process_key="alpha")
    late = make_task(due_at=now - timedelta(days=3), process_key="beta")
    later = make_task(due_at=now + timedelta(days=20), process_key="alpha")
    undated = make_task(due_at=None, process_key="alpha")
    op = actor(people["op_hp"])

    def listed(**kwargs) -> list[str]:
        sort = kwargs.pop("sort", None)
        return [i.id for i in service.list_tasks(db.session, op, scope="candidate", sort=sort,
                                                 filters=service.TaskFilters(**kwargs)).items]

    assert listed() == [late.id, soon.id, later.id, undated.id]
    assert listed(sort="-due") == [later.id, soon.id, late.id, undated.id]
    assert listed(overdue=True) == [late.id]
    assert listed(overdue=False) == [soon.id, later.id, undated.id]
    assert listed(due_before=now + timedelta(days=2)) == [late.id, soon.id]
    assert listed(process_key="alpha") == [soon.id, later.id, undated.id]
    page = service.list_tasks(db.session, op, scope="candidate")
    badges = {i.id: i.due.status for i in page.items}
    assert badges == {late.id: "overdue", soon.id: "soon", later.id: "later", undated.id: "none"}


def test_city_role_filters_by_district(db, people, frozen):
    hp = make_task(tenant="huangpu", groups=("bdc",))
    make_task(tenant="xuhui", groups=("bdc",))
    page = service.list_tasks(db.session, actor(people["bdc"]), scope="candidate",
                              filters=service.TaskFilters(tenant="huangpu"))
    assert [i.id for i in page.items] == [hp.id]


def test_api_filters_and_badges(client, auth, db, people, frozen, calendar):
    now = clock.now()
    late = make_task(due_at=now - timedelta(hours=1))
    make_task(due_at=now + timedelta(days=30))
    headers = auth.headers("op.hp")
    body = client.get("/api/v1/tasks?scope=candidate&overdue=true", headers=headers).get_json()
    assert [(t["id"], t["overdue"], t["workdays_left"]) for t in body["items"]] == [(late.id, True, 0)]
    due_before = (now + timedelta(days=2)).astimezone(UTC).isoformat()
    body = client.get("/api/v1/tasks", headers=headers, query_string={"due_before": due_before}).get_json()
    assert body["total"] == 1
    assert client.get("/api/v1/tasks?sort=sideways", headers=headers).status_code == 422
    assert client.get("/api/v1/tasks?scope=everything", headers=headers).status_code == 422
