"""Migrating running instances to a newer version: preview, one instance, a batch where one fails."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.admin import service as admin_service
from app.errors import Conflict
from app.security import all_tenants
from app.workflow import operations, steps
from app.workflow.models import AuditEvent, HumanTask, TaskCandidate, Timer
from tests.admin.conftest import (
    actor,
    approve,
    deploy,
    events,
    open_tasks,
    reload,
    start,
    xml_review_for,
    xml_with_check,
)


def pending_timers(db, instance_id):
    return list(db.session.scalars(all_tenants(select(Timer).where(Timer.instance_id == instance_id,
                                                                   Timer.status == "pending"))))


def snapshot(db, instance_id) -> tuple:
    """Everything a migration could touch, to compare before and after."""
    instance = reload(instance_id)
    tasks = sorted((t.id, t.status, t.name, tuple(t.candidate_groups)) for t in db.session.scalars(
        all_tenants(select(HumanTask).where(HumanTask.instance_id == instance_id))))
    timers = sorted((t.id, t.status, t.due_at) for t in db.session.scalars(
        all_tenants(select(Timer).where(Timer.instance_id == instance_id))))
    audit = [(e.seq, e.hash) for e in events(instance_id)]
    return (instance.definition_id, instance.state, instance.lock_version, instance.audit_seq,
            instance.audit_hash, tasks, timers, audit)


def test_waiting_instance_migrates_keeping_task_and_timer(db, v1, people):
    instance = start(people, approved=True)
    [task] = open_tasks(instance.id)
    [timer] = pending_timers(db, instance.id)
    v2 = deploy(xml_with_check())
    [preview] = operations.preview_migration(db.session, actor(people["admin"]), [instance.id],
                                             process_key="admin_review")
    assert (preview.ok, preview.from_version, preview.to_version, preview.added) == (True, 1, 2, ["Check"])
    assert snapshot(db, instance.id)[0] == v1.id  # a preview changes nothing

    result = operations.migrate_instance(db.session, actor(people["admin"]), instance.id,
                                         reason="v2 adds the payment check")
    db.session.commit()
    assert (result.ok, result.from_version, result.to_version) == (True, 1, 2)
    migrated = reload(instance.id)
    assert migrated.definition_id == v2.id
    assert [t.id for t in open_tasks(instance.id)] == [task.id]  # the same task, still open
    [same_timer] = pending_timers(db, instance.id)
    assert (same_timer.id, same_timer.due_at) == (timer.id, timer.due_at)  # due time kept
    event = events(instance.id)[-1]
    assert (event.kind, event.actor, event.details["from_version"], event.details["to_version"],
            event.details["reason"]) == ("migrated", "admin1", 1, 2, "v2 adds the payment check")

    # The new version's path is taken from now on.
    approve(people, instance.id)
    from app.workflow import service as workflow_service

    workflow_service.send_message(db.session, actor(people["bdc"]), instance.id, "payment_confirmed")
    db.session.commit()
    assert [t.element_id for t in open_tasks(instance.id)] == ["Check"]


def test_changed_candidate_groups_follow_into_the_inbox_rows(db, v1, people):
    instance = start(people)
    [task] = open_tasks(instance.id)
    deploy(xml_review_for("eitc"))
    operations.migrate_instance(db.session, actor(people["admin"]), instance.id, reason="eitc reviews now")
    db.session.commit()
    db.session.expire_all()
    row = db.session.get(HumanTask, task.id)
    assert row.candidate_groups == ["eitc"]
    groups = db.session.scalars(select(TaskCandidate.group_name).where(TaskCandidate.task_id == task.id)).all()
    assert groups == ["eitc"]


def test_instance_past_a_changed_step_cannot_migrate(db, v1, people):
    instance = start(people, approved=True)
    approve(people, instance.id)  # Review is done; v2 changes Review
    deploy(xml_review_for("eitc"))
    [preview] = operations.preview_migration(db.session, actor(people["admin"]), [instance.id],
                                             process_key="admin_review")
    assert not preview.ok and "Review (COMPLETED) changed" in preview.reasons[0]
    before = snapshot(db, instance.id)
    with pytest.raises(Conflict) as refused:
        operations.migrate_instance(db.session, actor(people["admin"]), instance.id, reason="try")
    db.session.rollback()
    assert refused.value.code == "not_migratable"
    assert snapshot(db, instance.id) == before


def test_migration_needs_a_newer_version(db, v1, people):
    instance = start(people)
    with pytest.raises(Conflict) as refused:
        operations.migrate_instance(db.session, actor(people["admin"]), instance.id, reason="nothing newer")
    assert "already runs version 1" in refused.value.message


def test_batch_where_one_instance_fails_leaves_it_untouched_and_migrates_the_others(db, v1, people, monkeypatch):
    a, b, c = (start(people, business_key=f"REQ-{n}") for n in "abc")
    deploy(xml_with_check())
    before_b = snapshot(db, b.id)
    real_persist = steps.persist

    def persist_then_fail_for_b(run, errors):
        real_persist(run, errors)  # b's state, rows and audit are written … then the step fails
        if run.instance.id == b.id:
            raise RuntimeError("disk full while migrating b")

    monkeypatch.setattr(steps, "persist", persist_then_fail_for_b)
    results = operations.migrate_batch(db.session, actor(people["admin"]), [a.id, b.id, c.id],
                                       process_key="admin_review", reason="v2 rollout")
    db.session.commit()
    outcome = {r.instance_id: (r.ok, r.from_version, r.to_version) for r in results}
    assert outcome == {a.id: (True, 1, 2), b.id: (False, 1, 2), c.id: (True, 1, 2)}
    assert "disk full" in next(r.message for r in results if r.instance_id == b.id)
    assert snapshot(db, b.id) == before_b  # nothing of b's half-done migration survives
    for ok in (a, c):
        assert reload(ok.id).definition.version == 2
        assert events(ok.id)[-1].kind == "migrated"
    migrated_events = db.session.scalars(all_tenants(select(AuditEvent.instance_id).where(
        AuditEvent.kind == "migrated"))).all()
    assert sorted(migrated_events) == sorted([a.id, c.id])


def test_batch_reports_refusals_per_instance(db, v1, people):
    waiting = start(people, business_key="REQ-wait")
    done = start(people, business_key="REQ-done")
    approve(people, done.id, approved=False)  # completed: never migrates
    deploy(xml_with_check())
    selection = admin_service.MigrationSelection(process_key="admin_review", instance_ids=[waiting.id, done.id])
    previews = {p.instance_id: p for p in admin_service.preview_migration(db.session, actor(people["admin"]),
                                                                          selection)}
    assert previews[waiting.id].ok and not previews[done.id].ok
    results = admin_service.migrate(db.session, actor(people["admin"]), selection, reason="rollout")
    db.session.commit()
    assert {r.instance_id: r.ok for r in results} == {waiting.id: True, done.id: False}


def test_filtered_batch_selects_only_live_instances_of_the_version(db, v1, people):
    first = start(people, business_key="REQ-1")
    start(people, business_key="REQ-2", who="unit_xh")
    ended = start(people, business_key="REQ-3")
    approve(people, ended.id, approved=False)
    deploy(xml_with_check())
    selection = admin_service.MigrationSelection(process_key="admin_review", from_version=1, tenant="huangpu")
    previews = admin_service.preview_migration(db.session, actor(people["admin"]), selection)
    assert [p.instance_id for p in previews] == [first.id]
