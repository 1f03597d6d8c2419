"""Evaluation pages through real HTTP with sessions and CSRF: schemes, feedback, starting and reading
an evaluation; refused forms come back (422) with the reason next to the field."""
from __future__ import annotations

from sqlalchemy import select

from app.evaluation.models import EvaluationScheme, VendorFeedback
from app.extensions import db
from app.security import all_tenants
from tests.evaluation.conftest import VENDOR_SCHEME


def post(client, auth, path, data):
    return client.post(path, data={**data, "csrf_token": auth.csrf()})


def scheme_form(weights=("40", "30", "30")) -> dict:
    form = {"missing_policy": "reweight", **{f"weight-vendor.{k}": w for k, w in zip(
        ("service", "delivery", "operation"), weights, strict=True)}}
    for n, (low, high, coefficient) in enumerate((("90", "100", "1.00"), ("80", "90", "0.98"), ("0", "80", "0.95"))):
        form.update({f"band-{n}-min": low, f"band-{n}-max": high, f"band-{n}-coefficient": coefficient})
    form.update({"grade-0-name": "优秀", "grade-0-min": "90"})
    return form


def test_authority_edits_the_vendor_scheme_with_errors_next_to_fields(client, auth, world):
    auth.login("authority1")
    page = client.get("/evaluation/schemes").get_data(as_text=True)
    assert 'name="weight-vendor.service"' in page and 'name="weight-test.unit_use"' in page
    refused = post(client, auth, "/evaluation/schemes/vendor", scheme_form(("40", "30", "20")))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'data-testid="error-weights">The weights must add up to 100 (they add up to 90).' in html
    assert 'value="20"' in html  # what was typed is kept
    bad_band = dict(scheme_form(), **{"band-2-min": "10"})
    refused = post(client, auth, "/evaluation/schemes/vendor", bad_band)
    assert 'data-testid="error-bands"' in refused.get_data(as_text=True)
    saved = post(client, auth, "/evaluation/schemes/vendor", scheme_form())
    assert saved.status_code == 303
    scheme = db.session.scalar(select(EvaluationScheme))
    assert sorted((w.indicator, str(w.weight)) for w in scheme.weights)[0] == ("vendor.delivery", "30.00")
    assert [str(b.coefficient) for b in scheme.bands] == ["1.0000", "0.9800", "0.9500"]


def test_a_unit_reads_the_schemes_but_cannot_save(client, auth, world):
    auth.login("xh.unit")
    page = client.get("/evaluation/schemes").get_data(as_text=True)
    assert "Save the scheme" not in page and 'href="/evaluation/"' in page
    assert post(client, auth, "/evaluation/schemes/vendor", scheme_form()).status_code == 403


def test_district_rates_a_vendor_on_the_page(client, auth, world):
    auth.login("xh.operator")
    page = client.get("/evaluation/feedback").get_data(as_text=True)
    assert 'value="2025Q3"' in page and "云服务商甲" in page  # last quarter by default
    refused = post(client, auth, "/evaluation/feedback", {"vendor_id": world["v1"].id, "period": "2025Q3",
                                                          "rating": "1"})
    assert refused.status_code == 422
    assert 'data-testid="error-comment">Say what went wrong when rating 1 or 2.' in refused.get_data(as_text=True)
    wrong = post(client, auth, "/evaluation/feedback", {"vendor_id": world["v2"].id, "period": "2025Q3", "rating": "4"})
    assert 'data-testid="error-vendor_id"' in wrong.get_data(as_text=True)
    done = post(client, auth, "/evaluation/feedback", {"vendor_id": world["v1"].id, "period": "2025Q3",
                                                       "rating": "2", "comment": "工单响应慢"})
    assert done.status_code == 303
    assert "工单响应慢" in client.get("/evaluation/feedback").get_data(as_text=True)
    auth.logout()
    auth.login("hp.operator")
    assert "工单响应慢" not in client.get("/evaluation/feedback").get_data(as_text=True)
    auth.logout()
    auth.login("vendor.a.user")
    vendor_page = client.get("/evaluation/feedback").get_data(as_text=True)
    assert "工单响应慢" in vendor_page and 'data-testid="feedback-form"' not in vendor_page
    assert db.session.scalar(all_tenants(select(VendorFeedback.rating))) == 2


def test_authority_starts_an_evaluation_on_the_page(client, auth, api, world):
    api.put("authority", "/evaluation-schemes/vendor", VENDOR_SCHEME)
    api.post("xh_operator", "/vendor-feedback", {"vendor_id": world["v1"].id, "period": "2025Q3", "rating": 4})
    auth.login("authority1")
    assert "Evaluation" in client.get("/").get_data(as_text=True)
    future = post(client, auth, "/evaluation/", {"period": "2025Q4"})
    assert future.status_code == 422 and 'data-testid="error-period_end"' in future.get_data(as_text=True)
    malformed = post(client, auth, "/evaluation/", {"period": "Q3"})
    assert 'data-testid="error-period">Write a quarter as 2025Q3.' in malformed.get_data(as_text=True)
    started = post(client, auth, "/evaluation/", {"period": "2025Q3"})
    assert started.status_code == 303
    detail = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "云服务商甲" in detail and "75.00" in detail and "0.9500" in detail  # (4−1)×25, only indicator
    assert post(client, auth, "/evaluation/", {"period": "2025Q3"}).status_code == 409
    auth.logout()
    auth.login("xh.unit")
    assert client.get(started.headers["Location"]).status_code == 404  # not yet published


def test_the_review_task_shows_the_summary_in_the_inbox(client, auth, api, world):
    api.put("authority", "/evaluation-schemes/vendor", VENDOR_SCHEME)
    api.post("xh_operator", "/vendor-feedback", {"vendor_id": world["v1"].id, "period": "2025Q3", "rating": 5})
    started = api.post("authority", "/evaluations", {"period": "2025Q3"})
    task_id = api.task("authority", started["instance_id"], "Task_AuthorityReview")
    auth.login("authority1")
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    assert "评价期：2025Q3（第 1 次计算）" in page and "服务商：1 家，平均 100.00 分" in page
    assert 'name="authority_decision"' in page
