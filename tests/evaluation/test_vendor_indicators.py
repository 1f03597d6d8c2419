"""The vendor indicators read directly, with the evidence a contract does or does not cover."""
from __future__ import annotations

from datetime import UTC, date, datetime

from app.evaluation import vendor_indicators as vi
from app.extensions import db
from tests.evaluation import evidence
from tests.evaluation.conftest import Q3, contract


def test_operation_counts_only_the_days_a_contract_covers_and_the_resource_ran(world):
    v1, v2 = world["v1"], world["v2"]
    # huangpu's vCPU is v2's for the year; its memory is v1's only from 16 September.
    c = contract(v1, "huangpu", item_code="IAAS-MEM")
    c.starts_on = date(2025, 9, 16)
    db.session.commit()
    cpu = evidence.allocation(world["hp_unit"], starts_on=date(2025, 9, 1), number="R-HP-CPU")
    mem = evidence.allocation(world["hp_unit"], starts_on=date(2025, 9, 1), number="R-HP-MEM")
    mem.item_code = "IAAS-MEM"
    # Reclaimed on 20 September (Shanghai): in service 1–20 September.
    cpu.state, cpu.updated_at = "reclaimed", datetime(2025, 9, 20, 3, 0, tzinfo=UTC)
    db.session.commit()
    evidence.usage(cpu, [date(2025, 9, d) for d in range(1, 11)])  # 10 of 20 days
    evidence.usage(mem, [date(2025, 9, d) for d in range(1, 31)])  # covered 16–30: 15 of 15
    ids = [v1.id, v2.id, world["v3"].id]
    assert vi.operation(db.session, ids, *Q3) == {v2.id: 50, v1.id: 100}
    assert vi.delivery(db.session, ids, *Q3) == {}
    assert vi.service(db.session, ids, *Q3) == {}


def test_delivery_is_the_vendor_of_the_district_and_item(world):
    v1 = world["v1"]
    xh = evidence.allocation(world["unit"], starts_on=date(2025, 8, 1), number="R-XH-9")
    hp = evidence.allocation(world["hp_unit"], starts_on=date(2025, 8, 1), number="R-HP-9")
    evidence.delivery(xh, at=evidence.at(8, 1))
    evidence.delivery(xh, at=evidence.at(8, 2), kind="reclaimed", escalation="回收逾期（第二十一条：十个工作日内）")
    evidence.delivery(hp, at=evidence.at(8, 3), escalation="测试资源开通逾期")  # v2's, not v1's
    assert vi.delivery(db.session, [v1.id], *Q3) == {v1.id: 50}
    assert vi.delivery(db.session, [world["v2"].id], *Q3) == {world["v2"].id: 0}
