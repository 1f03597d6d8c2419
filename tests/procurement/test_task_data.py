"""A district's tasks in the city round carry the round's data, never another district's reply."""
from __future__ import annotations

from tests.procurement.conftest import ISSUE, fire_due
from tests.procurement.test_e2e_round import result_lines, shanghai


def test_opt_in_task_shows_no_other_districts_reply(api, frozen, world):
    sid = api.post("bdc", "/solicitations", ISSUE)["id"]
    api.post("huangpu.authority", f"/solicitations/{sid}/replies", {"decision": "demand", "note": "HP-NOTE", "lines": [
        {"item_code": "IAAS-VCPU", "quantity": "200"}]})
    api.post("xuhui.authority", f"/solicitations/{sid}/replies", {"decision": "decline", "note": "XH-NOTE"})
    api.complete("huangpu.finance", "Task_File", {"filed": True, "filing_note": "HP-FILED"})
    fire_due(frozen, shanghai(2025, 9, 19, 16, 0))
    api.complete("bdc", "Task_Entrust", {"entrust": True})
    api.put("procurement", f"/solicitations/{sid}/result", {"lines": result_lines(world)})
    [task] = api.tasks("pudong.authority", "Task_OptIn")
    data = api.get("pudong.authority", f"/tasks/{task['id']}")["data"]
    assert data["district"] == "pudong" and "38.50" in data["result_text"]
    assert not {"HP-NOTE", "XH-NOTE", "HP-FILED"} & set(str(value) for value in data.values())
    # The district's own reply is visible to it; another district's is not.
    assert [r["tenant"] for r in api.get("xuhui.authority", f"/solicitations/{sid}/replies")] == ["xuhui"]
