"""Monitoring pages: charts drawn on the server, findings with evidence, rules with field errors."""
from __future__ import annotations

import re

from tests.conftest import csrf_from
from tests.monitoring.conftest import busy_month, daily_scan, idle_month, send


def _page(client, path, status=200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def test_unit_sees_its_systems_as_svg_charts(app, client, auth, frozen, site):
    send(client, site["xh_headers"], idle_month(site["idle"].id) + busy_month(site["busy"].id))
    daily_scan(app)
    auth.login("xh.unit")
    html = _page(client, "/monitoring/")
    assert f'data-testid="system-{site["idle"].id}"' in html and f'data-testid="system-{site["busy"].id}"' in html
    assert html.count("<svg") == 6 and "<polyline" in html and "<script" not in html.split("</header>")[-1]
    assert not re.search(r'(src|href)="https?://', html)  # nothing from a CDN
    assert "IF-000001" in html  # the idle system's open finding is flagged beside its charts

    detail = _page(client, f"/monitoring/systems/{site['idle'].id}")
    assert detail.count("<svg") == 3 and "CPU average" in detail
    finding = _page(client, "/monitoring/findings/1")
    assert "CPU 日均 3.00%" in finding and "Awaiting review" in finding
    assert "IF-000001" in _page(client, "/monitoring/findings")


def test_other_district_and_other_unit_get_404(client, auth, frozen, site):
    auth.login("hp.unit")
    _page(client, f"/monitoring/systems/{site['idle'].id}", status=404)
    assert f"system-{site['idle'].id}" not in _page(client, "/monitoring/")
    auth.logout()
    auth.login("xh.edu")  # a colleague unit of the same district
    _page(client, f"/monitoring/systems/{site['idle'].id}", status=404)


def test_rules_page_shows_reasons_next_to_fields(client, auth, frozen, site):
    auth.login("bdc1")
    _page(client, "/monitoring/rules", status=403)
    auth.logout()
    auth.login("admin1")
    html = _page(client, "/monitoring/rules")
    form = {"csrf_token": csrf_from(html), "key": "idle", "enabled": "on", "window_days": "10", "min_days": "12",
            "cpu_max_pct": "abc", "network_max_mb": "5", "business_max": "0", "rectify_workdays": "10"}
    refused = client.post("/monitoring/rules", data=form)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert 'data-testid="error-cpu_max_pct"' in body and 'value="abc"' in body
    form["cpu_max_pct"] = "8"
    refused = client.post("/monitoring/rules", data=form)
    assert 'data-testid="error-min_days"' in refused.get_data(as_text=True)
    form["min_days"] = "7"
    saved = client.post("/monitoring/rules", data=form)
    assert saved.status_code == 303
    assert 'value="7"' in _page(client, "/monitoring/rules")


def test_finding_page_shows_the_next_periods_figures(client, auth, frozen, site):
    from datetime import date

    from app.extensions import db
    from app.monitoring.models import Finding

    finding = Finding(tenant_id="xuhui", project_id=site["idle"].id, rule_key="idle", open_key="idle",
                      status="checking", detected_on=date(2025, 9, 22), window_start=date(2025, 8, 23),
                      window_end=date(2025, 9, 21), days_with_data=30, days_matched=30, cpu_avg=3, cpu_peak=4,
                      network_mb_avg=1.5, business_total=0, thresholds={"min_days": 30},
                      check_figures={"from": "2025-09-22", "to": "2025-09-25", "days": 4, "cpu_avg": "30.00",
                                     "network_mb_avg": "300.000", "business_total": 3600})
    db.session.add(finding)
    db.session.commit()
    auth.login("authority1")
    html = _page(client, f"/monitoring/findings/{finding.id}")
    assert "2025-09-22 – 2025-09-25: 4 days, CPU 30.00 %, network 300.000 MB, business 3600" in html
    assert "Being checked" in html
