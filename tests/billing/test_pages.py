"""Settlement pages: the list with its server-rendered spend chart, a statement with its evidence,
bdc drafting through the page (CSRF), and what a district and a user unit may open."""
from __future__ import annotations

from datetime import date

from app.billing import service
from app.extensions import db
from tests.billing.conftest import resource, use
from tests.conftest import csrf_from


def test_list_chart_detail_and_drafting_by_page(client, auth, world):
    use(resource("huangpu", "IAAS-VCPU"), date(2025, 8, 1), 31, "2")  # 62 × 45 = 2790.00
    use(resource("huangpu", "IAAS-VCPU"), date(2025, 9, 1), 30, "1")  # 30 × 45 = 1350.00
    auth.login("bdc1")
    page = client.get("/settlements/")
    token = csrf_from(page.get_data(as_text=True))
    for period in ("2025-08", "2025-09"):
        done = client.post("/settlements/start", data={"csrf_token": token, "tenant": "huangpu", "period": period,
                                                       "kind": "monthly"})
        assert done.status_code == 303
    refused = client.post("/settlements/start", data={"csrf_token": token, "tenant": "huangpu", "period": "2025-9x",
                                                      "kind": "monthly"}, follow_redirects=True)
    assert "YYYY-MM" in refused.get_data(as_text=True)
    html = client.get("/settlements/").get_data(as_text=True)
    assert 'data-testid="spend-chart"' in html and "<svg" in html and "http" not in html.split("<svg")[1][:200]
    assert 'data-month="2025-08" data-value="2790.00"' in html and 'data-month="2025-09" data-value="1350.00"' in html
    statement = service.list_statements(db.session, service_actor(world["bdc"]), period="2025-09").items[0]
    detail = client.get(f"/settlements/{statement.id}").get_data(as_text=True)
    assert statement.number in detail and "1,350.00" in detail and "catalogue V1" in detail
    auth.logout()
    auth.login("hp.finance")
    assert client.get(f"/settlements/{statement.id}").status_code == 200
    auth.logout()
    auth.login("xh.finance")
    assert client.get(f"/settlements/{statement.id}").status_code == 404
    assert "JS2025" not in client.get("/settlements/").get_data(as_text=True)


def service_actor(user):
    from app.security import Actor

    return Actor.of(user)
