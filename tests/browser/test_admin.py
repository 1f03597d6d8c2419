"""Admins in a real browser: deploy a broken then a fixed diagram; see an instance's active
element highlighted in the diagram bpmn-js draws (screenshots land in tests/artifacts/)."""
from __future__ import annotations

import pytest

from tests import builders
from tests.admin.conftest import (  # noqa: F401 - _forget_definitions: autouse fixture, caches by definition id
    _forget_definitions,
    deploy,
    start,
    wire_admin,
    xml_v1,
    xml_with_check,
)


@pytest.fixture(scope="module")
def app(app):
    wire_admin(app)  # until create_app registers the admin blueprints
    return app


@pytest.fixture()
def admin_page(page, live_server, db):
    builders.user("admin1", roles="admin")
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "admin1")
    page.fill("input[name=password]", builders.PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=current-user]")
    return page


def test_admin_uploads_a_broken_diagram_sees_why_then_deploys_version_2(admin_page, live_server, db,
                                                                       artifacts_dir):
    page = admin_page
    deploy(xml_v1())
    page.goto(f"{live_server}/admin/definitions")
    broken = xml_v1().replace(b'camunda:candidateGroups="bdc"', b'camunda:candidateGroups="bdc.typo"')
    page.set_input_files("input[name=file]", files=[{"name": "admin_review.bpmn", "mimeType": "application/xml",
                                                     "buffer": broken}])
    page.click("[data-testid=upload-submit]")
    problem = page.wait_for_selector("[data-testid=problem][data-element-id=Review]")
    text = problem.text_content()
    assert "admin_review.bpmn:" in text and "bdc.typo" in text
    page.screenshot(path=str(artifacts_dir / "admin_upload_problem.png"), full_page=True)

    page.set_input_files("input[name=file]", files=[{"name": "admin_review.bpmn", "mimeType": "application/xml",
                                                     "buffer": xml_with_check()}])
    page.click("[data-testid=upload-submit]")
    title = page.wait_for_selector("[data-testid=definition-title]")
    assert "v2" in title.text_content()
    page.wait_for_selector("[data-testid=diagram][data-rendered=true]")
    page.goto(f"{live_server}/admin/definitions")
    assert page.locator("[data-testid=version-row][data-version='2']").count() == 1


def test_admin_opens_an_instance_and_sees_the_active_element_highlighted(admin_page, live_server, db,
                                                                        artifacts_dir):
    page = admin_page
    deploy(xml_v1())
    people = {"unit": builders.user("unit.hp", roles="unit", tenant="huangpu")}
    instance = start(people)
    page.goto(f"{live_server}/admin/instances/{instance.id}")
    overlay = page.wait_for_selector("[data-testid=overlay-active][data-element-id=Review]")
    assert overlay.is_visible()
    # bpmn-js put our marker on the element's shape, and the path taken is marked too.
    assert page.locator(".djs-element.yg-active[data-element-id=Review]").count() == 1
    assert page.locator(".djs-element.yg-taken[data-element-id=Flow_1]").count() == 1
    assert page.locator(".djs-element.yg-completed[data-element-id=StartEvent_1]").count() == 1
    assert page.locator("[data-testid=chain-status].chain-ok").count() == 1
    page.screenshot(path=str(artifacts_dir / "admin_instance_active.png"), full_page=True)
