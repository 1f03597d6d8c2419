"""Onboarding pages: the index with its forms, record pages with their documents, and a task page whose
form holds attachment numbers (upload link, download links, a refused id shown next to the field)."""
from __future__ import annotations

from app.forms import load_form
from app.onboarding.golive import CHECKLISTS
from tests.conftest import csrf_from
from tests.onboarding.conftest import ROOT
from tests.onboarding.test_e2e_golive import STAGES, stage_data
from tests.resources.conftest import approved_project


def test_unit_submits_a_domain_plan_from_the_page(client, auth, flow, world):
    document = flow.upload("unit", "方案.pdf")
    auth.login("xh.unit")
    page = client.get("/onboarding/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="submit-domain"' in html and 'data-testid="apply-outside"' in html
    token = csrf_from(html)
    form = {"csrf_token": token, "name": "卫健专有域", "plan_summary": "方案", "plan_attachments": "",
            "unit_duties": "u", "bdc_duties": "b", "vendor_duties": "v"}
    refused = client.post("/onboarding/domains", data=form)
    assert refused.status_code == 422 and 'data-testid="error-plan_attachments"' in refused.get_data(as_text=True)
    done = client.post("/onboarding/domains", data={**form, "plan_attachments": str(document)},
                       follow_redirects=True)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "卫健专有域" in html and "方案.pdf" in html and "/attachments/" in html


def test_golive_page_shows_steps_and_the_signed_commitment(client, auth, flow, world):
    project = approved_project(world["unit"])
    auth.login("xh.unit")
    token = csrf_from(client.get("/onboarding/").get_data(as_text=True))
    started = client.post("/onboarding/golive", data={"csrf_token": token, "project_id": project.id})
    assert started.status_code == 302
    check = flow.get("unit", "/golive-checks")[0]
    for element, stage in STAGES:
        flow.complete("unit", check["instance_id"], element, stage_data(stage, flow.upload("unit")))
    flow.complete("bdc", check["instance_id"], "Task_BdcReview", {"review_decision": "approve"})
    flow.complete("unit", check["instance_id"], "Task_SignCommitment", {"commitment_confirmed": True})
    html = client.get(started.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="commitment"' in html and "上云安全承诺书" in html and "xh.unit" in html
    auth.logout()
    auth.login("hp.unit")
    assert client.get(started.headers["Location"]).status_code == 404


def test_a_task_form_with_attachment_numbers(client, auth, flow, world):
    project = approved_project(world["unit"])
    check = flow.post("unit", "/golive-checks", {"project_id": project.id})
    task_id = flow.task(check["instance_id"], "Task_ResourceRequest")
    foreign = flow.upload("hp_unit")
    auth.login("xh.unit")
    page = client.get(f"/inbox/tasks/{task_id}")
    html = page.get_data(as_text=True)
    assert 'data-testid="attachments-resource_request_evidence"' in html and "/attachments/" in html
    data = {"csrf_token": csrf_from(html), "resource_request_items": list(CHECKLISTS["resource_request"]),
            "resource_request_evidence": str(foreign)}
    refused = client.post(f"/inbox/tasks/{task_id}/complete", data=data)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and f"No such attachment: {foreign}." in body
    assert f'href="/attachments/{foreign}/download"' in body  # the entry is kept, shown as a link


def test_forms_list_exactly_the_checklists_the_rule_requires():
    for element, stage in STAGES:
        form = load_form(ROOT / "forms" / f"golive-{stage.replace('_', '-')}.form")
        [checklist] = [c for c in form.walk() if c.type == "checklist"]
        assert checklist.key == f"{stage}_items", element
        assert tuple(v["value"] for v in checklist.raw["values"]) == CHECKLISTS[stage]
