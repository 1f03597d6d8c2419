"""The engine convention (README "Diagrams"): a user task whose extension property ``tenant`` is
``${variable}`` belongs to the tenant that variable names — one multi-instance task per district in a
city-level process — checked at deploy, and only a city instance may hand tasks to a district."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.security import SYSTEM, Actor, all_tenants
from app.workflow import deployment
from app.workflow import service as workflow_service
from app.workflow.models import HumanTask, TaskCandidate
from tests import builders

DIAGRAM = Path(__file__).parent / "diagrams" / "tenant_per_district.bpmn"


def start(tenant: str, districts: list) -> int:
    deployment.deploy(db.session, SYSTEM, DIAGRAM.read_bytes(), DIAGRAM.name)
    instance = workflow_service.start_instance(db.session, SYSTEM, process_key="tenant_per_district",
                                               tenant_id=tenant, variables={"districts": districts})
    db.session.commit()
    return instance.id


def rows(instance_id: int) -> list[tuple[str, str]]:
    tasks = db.session.scalars(all_tenants(select(HumanTask).where(HumanTask.instance_id == instance_id))).all()
    candidates = db.session.scalars(all_tenants(select(TaskCandidate).where(
        TaskCandidate.task_id.in_([t.id for t in tasks])))).all()
    assert sorted(c.tenant_id for c in candidates) == sorted(t.tenant_id for t in tasks)  # the same tenant
    return sorted((t.tenant_id, t.status) for t in tasks)


def test_city_instance_gives_each_district_its_own_task(db):
    instance_id = start("city", ["huangpu", "xuhui"])
    assert rows(instance_id) == [("huangpu", "open"), ("xuhui", "open")]
    huangpu = Actor.of(builders.user("hp.auth", roles="district.authority", tenant="huangpu"))
    xuhui = Actor.of(builders.user("xh.auth", roles="district.authority", tenant="xuhui"))
    [mine] = db.session.scalars(all_tenants(select(HumanTask).where(HumanTask.tenant_id == "huangpu"))).all()
    # Each district sees and completes its own task only; the other district's is absent to it.
    from app.inbox import service as inbox

    assert [t.task.tenant_id for t in inbox.list_tasks(db.session, huangpu, scope="candidate").items] == ["huangpu"]
    workflow_service.complete_task(db.session, huangpu, mine.id, {})
    db.session.commit()
    assert inbox.list_tasks(db.session, huangpu, scope="candidate").items == []
    assert len(inbox.list_tasks(db.session, xuhui, scope="candidate").items) == 1


def test_district_instance_keeps_its_tasks_and_unknown_tenants_are_ignored(db):
    assert rows(start("huangpu", ["xuhui", "pudong"])) == [("huangpu", "open"), ("huangpu", "open")]
    assert rows(start("city", ["nowhere"])) == [("city", "open")]


def test_deploy_refuses_a_tenant_property_that_is_not_a_variable(db):
    for value in ("xuhui", "${1district}", "${district} and more"):
        xml = DIAGRAM.read_bytes().replace(b"${district}", value.encode())
        verdict = deployment.check(db.session, xml, DIAGRAM.name)
        assert not verdict.ok
        assert any("the property tenant must name a variable" in p.reason for p in verdict.problems), value
    assert deployment.check(db.session, DIAGRAM.read_bytes(), DIAGRAM.name).ok
