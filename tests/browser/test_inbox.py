"""A district operator works a task in a real browser: claim, a refused submission, a good one."""
from __future__ import annotations

import pytest

from tests import builders
from tests.inbox.conftest import deploy_file, open_task, start


@pytest.fixture()
def approval(db):
    return deploy_file()  # tests/inbox/district_approval.bpmn: Approve (form example-approval) → Confirm


@pytest.fixture()
def people(db):
    return {"op_hp": builders.user("hp.op", roles="district.operator", tenant="huangpu"),
            "unit": builders.user("unit.hp", roles="unit", tenant="huangpu"),
            "op_xh": builders.user("xh.op", roles="district.operator", tenant="xuhui")}


def test_operator_claims_fails_once_then_completes(page, live_server, db, people, approval, artifacts_dir):
    task = open_task(db, start(db, people, business_key="REQ-2025-001").id)
    other = open_task(db, start(db, {"unit": builders.user("unit.xh", roles="unit", tenant="xuhui")},
                                 business_key="XH-9").id)
    page.goto(f"{live_server}/inbox/")
    page.fill("input[name=username]", "hp.op")
    page.fill("input[name=password]", builders.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=tab-group]")
    page.click("[data-testid=tab-group]")
    row = page.locator(f"[data-testid=task-row][data-task-id='{task.id}']")
    assert row.is_visible() and "REQ-2025-001" in row.inner_text()
    assert page.locator(f"[data-task-id='{other.id}']").count() == 0  # another district's task
    row.locator("[data-testid=claim]").click()
    page.wait_for_selector("[data-testid=task-form]")
    assert page.locator("[data-testid=regulation]").inner_text().count("M.19") == 1
    assert "REQ-2025-001" in page.inner_text("[data-testid=process-context]")

    page.check("input[name=decision][value=approve]")
    page.fill("input[name=quantity]", "5000")  # breaks the form's rule: 1 to 1000
    page.fill("textarea[name=comment]", "同意开通测试资源")
    page.click("[data-testid=task-form] button[type=submit]")
    page.wait_for_selector("[data-testid=form-errors]")
    assert page.locator("input[name=quantity]").input_value() == "5000"  # kept as typed
    assert page.locator("input[name=quantity][aria-invalid=true]").count() == 1
    page.screenshot(path=str(artifacts_dir / "inbox-task-error.png"), full_page=True)

    page.fill("input[name=quantity]", "8")
    page.click("[data-testid=task-form] button[type=submit]")
    page.wait_for_url(f"{live_server}/inbox/")
    assert page.locator(f"[data-task-id='{task.id}']").count() == 0
    page.click("[data-testid=tab-group]")
    page.wait_for_selector("[data-testid=task-table], [data-testid=inbox-empty]")
    assert page.locator(f"[data-task-id='{task.id}']").count() == 0  # the next step is a new task
    page.click("[data-testid=tab-done]")
    page.wait_for_selector(f"[data-task-id='{task.id}']")
    page.screenshot(path=str(artifacts_dir / "inbox-done.png"), full_page=True)
