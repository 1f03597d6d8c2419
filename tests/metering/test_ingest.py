"""POST /api/v1/usage: idempotent bulk ingestion with per-row verdicts (M.13, P.4(6))."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from app.extensions import db
from tests.resources.conftest import catalogue


def _csv(lines: list[str]) -> dict:
    text = "resource,item,day,quantity\n" + "\n".join(lines) + "\n"
    return {"file": (io.BytesIO(text.encode()), "usage.csv")}


def _post_csv(client, headers, lines):
    return client.post("/api/v1/usage", headers=headers, data=_csv(lines), content_type="multipart/form-data")


def _all_usage(client, headers, **query) -> list[dict]:
    body = client.get("/api/v1/usage", headers=headers, query_string={"per_page": 1000, **query}).get_json()
    return body["items"]


def _total(rows) -> Decimal:
    return sum((Decimal(r["quantity"]) for r in rows), Decimal(0))


def test_resending_a_days_file_leaves_the_same_totals(client, site):
    vcpu, mem = site["vcpu"], site["mem"]
    lines = [f"{vcpu.id},IAAS-VCPU,2025-09-20,16", f"{vcpu.id},IAAS-VCPU,2025-09-21,12.5",
             f"{mem.number},IAAS-MEM,2025-09-21,64.0001"]
    first = _post_csv(client, site["xh_headers"], lines)
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"accepted": 3, "rejected": []}
    before = _all_usage(client, site["xh_headers"])
    assert len(before) == 3 and _total(before) == Decimal("92.5001")

    again = _post_csv(client, site["xh_headers"], lines)
    assert again.get_json() == {"accepted": 3, "rejected": []}
    after = _all_usage(client, site["xh_headers"])
    assert len(after) == 3 and _total(after) == Decimal("92.5001")
    assert {r["id"] for r in after} == {r["id"] for r in before}

    # A corrected figure replaces the earlier one: never added to it.
    _post_csv(client, site["xh_headers"], [f"{vcpu.id},IAAS-VCPU,2025-09-21,10"])
    assert _total(_all_usage(client, site["xh_headers"], resource=vcpu.id)) == Decimal("26")


def test_json_rows_same_key_twice_in_one_upload_the_later_wins(client, site):
    vcpu = site["vcpu"]
    rows = [{"resource": vcpu.id, "item": "IAAS-VCPU", "day": "2025-09-22", "quantity": "3"},
            {"resource": vcpu.id, "item": "IAAS-VCPU", "day": "2025-09-22", "quantity": 5}]
    response = client.post("/api/v1/usage", headers=site["xh_headers"], json={"rows": rows})
    assert response.get_json() == {"accepted": 2, "rejected": []}
    assert [r["quantity"] for r in _all_usage(client, site["xh_headers"])] == ["5.0000"]


def test_bad_rows_are_reported_and_good_rows_kept(client, site):
    vcpu, hp = site["vcpu"], site["hp_vcpu"]
    rows = [
        {"resource": vcpu.id, "item": "IAAS-VCPU", "day": "2025-09-20", "quantity": "16"},      # 1 good
        {"resource": 999999, "item": "IAAS-VCPU", "day": "2025-09-20", "quantity": "1"},        # 2 unknown resource
        {"resource": vcpu.id, "item": "NO-SUCH", "day": "2025-09-20", "quantity": "1"},         # 3 unknown item
        {"resource": vcpu.id, "item": "IAAS-VCPU", "day": "2025-09-19", "quantity": "-1"},      # 4 negative
        {"resource": vcpu.id, "item": "IAAS-VCPU", "day": "2025-09-23", "quantity": "1"},       # 5 future
        {"resource": vcpu.id, "item": "IAAS-VCPU", "day": "2025-09-18", "quantity": "1,5"},     # 6 malformed number
        {"resource": vcpu.id, "item": "IAAS-VCPU", "day": "2025-09-31", "quantity": "1"},       # 7 malformed date
        {"resource": hp.id, "item": "IAAS-VCPU", "day": "2025-09-20", "quantity": "1"},         # 8 another district
        {"resource": "abc", "item": "", "day": "", "quantity": None},                           # 9 everything
        {"resource": site["mem"].id, "item": "IAAS-MEM", "day": "2025-09-22", "quantity": 0},   # 10 good (zero)
    ]
    response = client.post("/api/v1/usage", headers=site["xh_headers"], json={"rows": rows})
    assert response.status_code == 200
    body = response.get_json()
    assert body["accepted"] == 2
    reasons = {r["row"]: sorted(r["errors"]) for r in body["rejected"]}
    assert reasons == {2: ["resource"], 3: ["item"], 4: ["quantity"], 5: ["day"], 6: ["quantity"], 7: ["day"],
                       8: ["resource"], 9: ["day", "item", "quantity", "resource"]}
    # Another district's resource looks exactly like one that does not exist (P.4(5)).
    rejected = {r["row"]: r["errors"] for r in body["rejected"]}
    assert rejected[8] == rejected[2]
    stored = _all_usage(client, site["xh_headers"])
    assert sorted((r["resource"], r["quantity"]) for r in stored) == [(vcpu.id, "16.0000"), (site["mem"].id,
                                                                                              "0.0000")]


def test_csv_bad_rows_are_numbered_from_the_first_data_row(client, site):
    vcpu = site["vcpu"]
    response = _post_csv(client, site["xh_headers"], [f"{vcpu.id},IAAS-VCPU,2025-09-20,1",
                                                      f"{vcpu.id},IAAS-VCPU,2025-09-20,1e999x"])
    rejected = response.get_json()["rejected"]
    assert [(r["row"], list(r["errors"])) for r in rejected] == [(2, ["quantity"])]


def test_the_city_collector_sends_for_every_district(client, site):
    rows = [{"resource": site["vcpu"].id, "item": "IAAS-VCPU", "day": "2025-09-21", "quantity": "1"},
            {"resource": site["hp_vcpu"].id, "item": "IAAS-VCPU", "day": "2025-09-21", "quantity": "2"}]
    response = client.post("/api/v1/usage", headers=site["city_headers"], json={"rows": rows})
    assert response.get_json() == {"accepted": 2, "rejected": []}
    assert {r["tenant"] for r in _all_usage(client, site["city_headers"])} == {"xuhui", "huangpu"}


def test_a_csv_without_the_header_is_refused_whole(client, site):
    data = {"file": (io.BytesIO(b"resource,item,quantity\n1,IAAS-VCPU,2\n"), "usage.csv")}
    response = client.post("/api/v1/usage", headers=site["xh_headers"], data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_file"


def test_uploads_above_the_app_wide_limit_are_accepted_up_to_their_own(client, site, monkeypatch):
    padding = "x" * (3 * 1024 * 1024)  # above the app-wide 2 MB
    response = client.post("/api/v1/usage", headers=site["xh_headers"], json={"rows": [], "note": padding})
    assert response.status_code == 200, response.get_json()
    monkeypatch.setattr(client.application.view_functions["metering_api.UsageIngest"], "_upload_limit", 1024)
    too_big = client.post("/api/v1/usage", headers=site["xh_headers"], json={"rows": [], "note": "x" * 2048})
    assert too_big.status_code == 413
    assert too_big.get_json()["error"]["code"] == "payload_too_large"


def test_an_admin_session_uploads_a_large_csv_through_the_csrf_check(client, auth, site):
    # The CSRF check reads a multipart body before the view runs: the endpoint's own limit must
    # already hold then, or a browser upload above the app-wide 2 MB is refused.
    auth.login("admin1")
    row = f"{site['vcpu'].id},IAAS-VCPU,2025-09-21,1\n"
    body = "resource,item,day,quantity\n" + row + "\n" * (2200 * 1024)  # blank lines: no rows
    assert len(body) > 2 * 1024 * 1024
    response = client.post("/api/v1/usage", headers={"X-CSRFToken": auth.csrf()}, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(body.encode()), "usage.csv")})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["accepted"] == 1
    no_token = client.post("/api/v1/usage", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(body.encode()), "usage.csv")})
    assert no_token.status_code in (400, 403)


def test_items_are_checked_against_the_catalogue_in_force_each_day(client, site):
    # M.16: xuhui's own catalogue (with object storage, OSS) takes effect on 10 September; before
    # that the city's, which has no OSS, is in force.
    catalogue("xuhui", effective_from=date(2025, 9, 10), tiered=True)
    db.session.commit()
    rows = [{"resource": site["vcpu"].id, "item": "OSS", "day": f"2025-09-{d:02d}", "quantity": "1"}
            for d in range(1, 21)]
    rows.append({"resource": site["vcpu"].id, "item": "IAAS-VCPU", "day": "2025-09-03", "quantity": "1"})
    body = client.post("/api/v1/usage", headers=site["city_headers"], json={"rows": rows}).get_json()
    assert body["accepted"] == 12
    assert [r["row"] for r in body["rejected"]] == list(range(1, 10))
    hp = client.post("/api/v1/usage", headers=site["city_headers"], json={"rows": [
        {"resource": site["hp_vcpu"].id, "item": "OSS", "day": "2025-09-15", "quantity": "1"}]}).get_json()
    assert list(hp["rejected"][0]["errors"]) == ["item"]
