"""A district's task of the city round opens in its inbox like any other task, and shows only its
own history: the round's other districts stay out of sight."""
from __future__ import annotations

from tests.conftest import csrf_from
from tests.procurement.conftest import ISSUE, open_tasks


def test_district_opens_and_completes_its_reply_task_in_the_inbox(api, client, auth):
    found = api.post("bdc", "/solicitations", ISSUE)
    api.post("huangpu.authority", f"/solicitations/{found['id']}/replies", {"decision": "demand", "note": "HP-NOTE",
                                                                           "lines": [{"item_code": "IAAS-MEM",
                                                                                      "quantity": "64"}]})
    [task] = api.tasks("pudong.authority", "Task_Reply")
    auth.login("pudong.authority")
    page = client.get(f"/inbox/tasks/{task['id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "ZX-2026-001" in html and "IAAS-VCPU" in html
    assert "HP-NOTE" not in html and "huangpu.authority" not in html
    done = client.post(f"/inbox/tasks/{task['id']}/complete",
                       data={"csrf_token": csrf_from(html), "reply_decision": "decline", "reply_note": "PD-NOTE"})
    assert done.status_code in (302, 303)
    assert ("Task_Reply", "pudong") not in open_tasks(found["instance_id"])
    statuses = {r["tenant"]: r["status"] for r in api.get("bdc", f"/solicitations/{found['id']}/replies")}
    assert statuses == {"huangpu": "demand", "pudong": "declined", "xuhui": "pending"}

    finished = client.get(f"/inbox/tasks/{task['id']}")
    html = finished.get_data(as_text=True)
    assert finished.status_code == 200 and "PD-NOTE" in html
    assert "HP-NOTE" not in html and "huangpu" not in html
