"""The application services: each rule enforced where units apply, with the article quoted."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.resources import actions
from app.resources import service as resources_service
from app.resources.models import EXPANDING, PENDING, REQUESTED, Allocation
from app.security import all_tenants
from app.workflow.models import ProcessInstance
from tests.resources.conftest import actor, approved_project, open_allocation, open_element_ids

TODAY = date(2025, 9, 22)
QUOTA_FIELDS = {"name": "互联网医院", "description": "预约挂号", "mlps_level": 3,
                "quotas": [{"item_code": "IAAS-VCPU", "quantity": Decimal(64)},
                           {"item_code": "IAAS-MEM", "quantity": Decimal(256)}]}


def special(who, project, *, kind="development", quantity="15", expires_on=date(2025, 12, 22), **extra):
    lines = [{"item_code": "IAAS-VCPU", "quantity": Decimal(quantity)}]
    return resources_service.request_special(db.session, actor(who), project.id, kind=kind, lines=lines,
                                             expires_on=expires_on, today=extra.pop("today", TODAY), **extra)


# -- M.18 ---------------------------------------------------------------------------------------------
def test_quota_application_creates_project_application_and_process(world):
    application = resources_service.apply_for_quota(db.session, actor(world["unit"]), today=TODAY, **QUOTA_FIELDS)
    db.session.commit()
    project = application.project
    assert (project.tenant_id, project.status, project.organisation.code) == ("xuhui", "applying", "xuhui.health")
    assert project.code == f"XM-2025-{project.id:05d}"
    assert [(q.item_code, q.quantity) for q in project.quotas] == [("IAAS-VCPU", 64), ("IAAS-MEM", 256)]
    assert application.number == f"PQ-2025-{application.id:06d}" and application.status == PENDING
    instance = db.session.scalar(all_tenants(select(ProcessInstance).where(
        ProcessInstance.id == application.instance_id)))
    assert (instance.tenant_id, instance.business_key) == ("xuhui", application.number)
    assert open_element_ids(instance.id) == ["Task_ReviewQuota"]


@pytest.mark.parametrize("fields", [{"mlps_level": 4}, {"classified": True}])
def test_quota_only_for_non_classified_systems_of_level_3_or_below(world, fields):
    with pytest.raises(ValidationFailed) as refused:
        resources_service.apply_for_quota(db.session, actor(world["unit"]), today=TODAY, **{**QUOTA_FIELDS, **fields})
    assert refused.value.code == "rule_m18" and "Article 18" in refused.value.message


def test_a_periodic_load_must_be_declared(world):
    with pytest.raises(ValidationFailed) as refused:
        resources_service.apply_for_quota(db.session, actor(world["unit"]), today=TODAY, periodic=True,
                                          **QUOTA_FIELDS)
    assert refused.value.code == "rule_m18" and "periodic_load" in refused.value.fields
    application = resources_service.apply_for_quota(
        db.session, actor(world["unit"]), today=TODAY, periodic=True, periodic_load="每年6—8月招生高峰",
        **{**QUOTA_FIELDS, "quotas": [{"item_code": "IAAS-VCPU", "quantity": Decimal(64),
                                       "peak_quantity": Decimal(128)}]})
    assert application.project.quotas[0].peak_quantity == 128


def test_quota_items_come_from_the_catalogue_in_force(world):
    with pytest.raises(ValidationFailed) as refused:
        resources_service.apply_for_quota(db.session, actor(world["unit"]), today=TODAY, **{
            **QUOTA_FIELDS, "quotas": [{"item_code": "NO-SUCH", "quantity": Decimal(1)}]})
    assert "quotas.0.item_code" in refused.value.fields


def test_only_units_apply_for_quotas(world):
    with pytest.raises(Forbidden):
        resources_service.apply_for_quota(db.session, actor(world["bdc"]), today=TODAY, **QUOTA_FIELDS)


# -- M.22: development resources ---------------------------------------------------------------------
def test_development_up_to_exactly_15_percent_counting_held_and_pending(world):
    project = approved_project(world["city_unit"])  # vCPU quota 100
    open_allocation(project, "IAAS-VCPU", "5", kind="development")
    first = special(world["city_unit"], project, quantity="6")  # 5 held + 6 = 11
    db.session.commit()
    assert [a.state for a in actions.allocations(db.session, first)] == [REQUESTED]
    special(world["city_unit"], project, quantity="4")  # 5 + 6 pending + 4 = 15: exactly 15 % is allowed
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        special(world["city_unit"], project, quantity="0.0001")
    assert refused.value.code == "rule_m22_share"
    assert refused.value.message == "Development resources may not exceed 15 percent of the project quota (Article 22)."


def test_development_only_for_approved_city_projects_never_external(world):
    district = approved_project(world["unit"])
    with pytest.raises(ValidationFailed) as refused:
        special(world["unit"], district, quantity="1")
    assert refused.value.code == "rule_m22_project"
    pending = approved_project(world["city_unit"], status="applying", name="未立项")
    with pytest.raises(ValidationFailed):
        special(world["city_unit"], pending, quantity="1")
    city = approved_project(world["city_unit"])
    with pytest.raises(ValidationFailed) as refused:
        special(world["city_unit"], city, quantity="1", external_access=True)
    assert refused.value.code == "rule_m22_external"


def test_development_term_three_months_across_national_day(world, frozen):
    frozen.current = datetime(2025, 7, 1, 1, 0, tzinfo=UTC)
    project = approved_project(world["city_unit"])
    # 1 July + 3 months = 1 October (holiday) → 9 October, the next working day.
    special(world["city_unit"], project, quantity="1", expires_on=date(2025, 10, 9), today=date(2025, 7, 1))
    with pytest.raises(ValidationFailed) as refused:
        special(world["city_unit"], project, quantity="1", expires_on=date(2025, 10, 10), today=date(2025, 7, 1))
    assert refused.value.code == "rule_m22_term"


# -- M.23, M.24: emergency and temporary ----------------------------------------------------------------
def test_emergency_three_months_temporary_six(world):
    project = approved_project(world["unit"])
    special(world["unit"], project, kind="emergency", quantity="8", expires_on=date(2025, 12, 22))
    with pytest.raises(ValidationFailed) as refused:
        special(world["unit"], project, kind="emergency", quantity="8", expires_on=date(2025, 12, 23))
    assert refused.value.code == "rule_m23_term"
    candidate = approved_project(world["unit"], status="applying", key_work=True, name="重点工作")
    # 22 September + 6 months = Sunday 22 March 2026 → Monday 23 March (art. 203).
    special(world["unit"], candidate, kind="temporary", quantity="8", expires_on=date(2026, 3, 23))
    with pytest.raises(ValidationFailed) as refused:
        special(world["unit"], candidate, kind="temporary", quantity="8", expires_on=date(2026, 3, 24))
    assert refused.value.code == "rule_m24_term"


def test_temporary_only_before_approval_and_on_key_work_or_special_meeting(world):
    approved = approved_project(world["unit"], key_work=True)
    plain = approved_project(world["unit"], status="applying", name="普通项目")
    meeting = approved_project(world["unit"], status="applying", special_meeting="2025年第12次专题会议",
                               name="专题会议项目")
    for project in (approved, plain):
        with pytest.raises(ValidationFailed) as refused:
            special(world["unit"], project, kind="temporary", quantity="8")
        assert refused.value.code == "rule_m24_project"
    application = special(world["unit"], meeting, kind="temporary", quantity="8")
    assert application.basis == "专题会议：2025年第12次专题会议"


# -- M.20: expansion routing -----------------------------------------------------------------------------
def _expand(who, project, allocation, quantity):
    application = resources_service.request_expansion(
        db.session, actor(who), project.id, lines=[{"allocation_id": allocation.id, "quantity": Decimal(quantity)}],
        today=TODAY)
    db.session.commit()
    return application


def test_expansion_to_exactly_120_percent_stays_with_bdc(world):
    project = approved_project(world["unit"])  # vCPU quota 100
    allocation = open_allocation(project, "IAAS-VCPU", "100")
    application = _expand(world["unit"], project, allocation, "20")
    assert application.over_quota is False
    assert db.session.get(Allocation, allocation.id).state == EXPANDING


def test_expansion_above_120_percent_goes_to_eitc_counting_pending_expansions(world):
    project = approved_project(world["unit"])
    vcpu = open_allocation(project, "IAAS-VCPU", "60")
    test = open_allocation(project, "IAAS-VCPU", "40", kind="test")
    assert _expand(world["unit"], project, vcpu, "10").over_quota is False  # 110
    assert _expand(world["unit"], project, test, "10.0001").over_quota is True  # 110 pending + 10.0001


def test_expansion_needs_open_standard_resources_of_the_project(world):
    project = approved_project(world["unit"])
    other = approved_project(world["unit"], name="另一系统")
    foreign = open_allocation(other, "IAAS-VCPU", "10")
    with pytest.raises(ValidationFailed):
        _expand(world["unit"], project, foreign, "1")
    dev = open_allocation(project, "IAAS-VCPU", "1", kind="emergency")
    with pytest.raises(ValidationFailed):
        _expand(world["unit"], project, dev, "1")


# -- who may apply ----------------------------------------------------------------------------------------
def test_only_the_owning_unit_applies_and_other_districts_see_nothing(world):
    project = approved_project(world["unit"])
    allocation = open_allocation(project, "IAAS-VCPU", "10")
    with pytest.raises(NotFound):  # another district: absent
        _expand(world["hp_unit"], project, allocation, "1")
    with pytest.raises(NotFound):  # another unit of the same district: not its project
        _expand(world["other_unit"], project, allocation, "1")
    with pytest.raises(Forbidden):  # the district operator sees it but does not apply
        _expand(world["xh_operator"], project, allocation, "1")
    application = _expand(world["unit2"], project, allocation, "1")  # a colleague of the same unit may
    assert application.requested_by == "xh.unit2"


def test_reclaim_marks_allocations_and_needs_open_ones(world):
    project = approved_project(world["unit"])
    allocation = open_allocation(project, "IAAS-MEM", "64")
    application = resources_service.request_reclaim(db.session, actor(world["unit"]), project.id,
                                                    allocation_ids=[allocation.id], today=TODAY)
    db.session.commit()
    assert db.session.get(Allocation, allocation.id).state == "reclaiming"
    assert application.lines[0].allocation_id == allocation.id
    with pytest.raises(ValidationFailed):
        resources_service.request_reclaim(db.session, actor(world["unit"]), project.id,
                                          allocation_ids=[allocation.id], today=TODAY)


def test_eitc_sets_the_temporary_quota(world):
    project = approved_project(world["unit"], status="applying", key_work=True)
    application = special(world["unit"], project, kind="temporary", quantity="32")
    line = application.lines[0]
    with pytest.raises(Forbidden):
        resources_service.set_granted_quantities(db.session, actor(world["bdc"]), application.id, {line.id: Decimal(8)})
    resources_service.set_granted_quantities(db.session, actor(world["eitc"]), application.id, {line.id: Decimal(16)})
    assert line.granted == 16
    with pytest.raises(ValidationFailed):
        resources_service.set_granted_quantities(db.session, actor(world["eitc"]), application.id,
                                                 {line.id: Decimal(0)})
    with pytest.raises(Conflict):
        other = special(world["unit"], approved_project(world["unit"]), kind="emergency", quantity="1")
        resources_service.set_granted_quantities(db.session, actor(world["eitc"]), other.id, {})


def test_vendors_and_procurement_read_no_projects(world):
    from app.projects import service as projects_service
    from tests import builders

    approved_project(world["unit"])
    for role in ("vendor", "procurement"):
        assert projects_service.list_projects(db.session, actor(builders.user(f"p.{role}", roles=role))) == []
    assert len(projects_service.list_projects(db.session, actor(world["eitc"]))) == 1
