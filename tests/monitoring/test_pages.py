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
