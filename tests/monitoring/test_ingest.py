"""POST /api/v1/utilisation (M.13): per-row verdicts, idempotent re-sending, CSV, the SQL rollup,
and the purge of raw samples past ``UTILISATION_RAW_DAYS``."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from app.extensions import db
from app.jobs import registry
from app.monitoring.models import UtilisationDaily, UtilisationSample
from app.security import all_tenants
from scheduler.jobs import run_job
from tests.monitoring.conftest import TODAY, sample, send


def _daily(api, who, system, **query) -> list[dict]:
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return api.get(who, f"/systems/{system}/utilisation?{suffix}")


def _samples() -> int:
    return db.session.scalar(all_tenants(select(func.count()).select_from(UtilisationSample)))


def test_resending_replaces_and_the_day_is_rolled_up(client, api, site):
    system = site["idle"].id
    day = date(2025, 9, 20)
    rows = [sample(system, day, cpu="10", network="2", requests=5, hour=9),
            sample(system, day, cpu="20", network="3", requests=7, logins=1, hour=15)]
    assert send(client, site["xh_headers"], rows) == {"accepted": 2, "rejected": []}
    assert send(client, site["xh_headers"], rows) == {"accepted": 2, "rejected": []}
    assert _samples() == 2
    [row] = _daily(api, "unit", system, **{"from": "2025-09-20", "to": "2025-09-20"})
    assert (row["samples"], row["cpu_avg"], row["cpu_max"], row["network_io_mb"]) == (2, "15.00", "20.00", "5.000")
    assert (row["requests"], row["logins"], row["api_calls"]) == (12, 1, 0)

    # A corrected figure replaces the earlier sample of that moment; the day is rolled up again.
    send(client, site["xh_headers"], [sample(system, day, cpu="40", network="3", requests=7, logins=1, hour=15)])
    [row] = _daily(api, "unit", system, **{"from": "2025-09-20", "to": "2025-09-20"})
    assert (row["samples"], row["cpu_avg"], row["cpu_max"]) == (2, "25.00", "40.00")


def test_bad_rows_are_reported_and_good_rows_kept(client, site):
    idle, other = site["idle"], site["other"]
    rows = [
        sample(idle.id, TODAY, hour=7),                                         # 1 good
        sample(999999, TODAY, hour=7),                                          # 2 unknown system
        sample(other.id, TODAY, hour=7),                                        # 3 another district's system
        sample(idle.id, TODAY, hour=7, cpu="101"),                              # 4 above 100 %
        sample(idle.id, TODAY, hour=7, network="-1"),                           # 5 negative
        {**sample(idle.id, TODAY, hour=7), "at": "2025-09-23T12:00:00+08:00"},  # 6 future
        {**sample(idle.id, TODAY, hour=7), "at": "yesterday"},                  # 7 malformed moment
        sample(idle.id, TODAY, hour=7, requests=-3),                            # 8 negative count
        {**sample(idle.id, TODAY, hour=7), "memory": 0.5},                      # 9 float loses digits
        "not a row",                                                    # 10
        sample(idle.code, TODAY, hour=8),                               # 11 good, by code
    ]
    body = send(client, site["xh_headers"], rows)
    assert body["accepted"] == 2, body
    assert {r["row"]: sorted(r["errors"]) for r in body["rejected"]} == {
        2: ["system"], 3: ["system"], 4: ["cpu"], 5: ["network_io"], 6: ["at"], 7: ["at"], 8: ["requests"],
        9: ["memory"], 10: ["_row"]}
    assert _samples() == 2


def test_csv_upload_and_who_may_send(client, auth, api, site):
    text = ("system,at,cpu,memory,disk_io,network_io,requests,logins,api_calls\n"
            f"{site['idle'].id},2025-09-21,5,30,1,1,0,0,0\n{site['other'].id},2025-09-21,5,30,1,1,0,0,0\n")
    response = client.post("/api/v1/utilisation", headers=site["city_headers"], content_type="multipart/form-data",
                           data={"file": (io.BytesIO(text.encode()), "samples.csv")})
    assert response.get_json() == {"accepted": 2, "rejected": []}  # a city collector sends for every district
    bad = client.post("/api/v1/utilisation", headers=site["city_headers"], content_type="multipart/form-data",
                      data={"file": (io.BytesIO(b"system,cpu\n1,2\n"), "x.csv")})
    assert bad.status_code == 400 and "at" in bad.get_json()["error"]["message"]
    # A unit's own login is no collector; a collector token reaches nothing but ingestion.
    assert api.call("unit", "POST", "/utilisation", {"rows": []}, status=403)
    assert client.get("/api/v1/idle-findings", headers=site["xh_headers"]).status_code == 403


def test_charts_data_is_scoped(api, client, site):
    send(client, site["xh_headers"], [sample(site["idle"].id, TODAY, hour=7)])
    assert len(_daily(api, "unit", site["idle"].id)) == 1
    api.call("hp_unit", "GET", f"/systems/{site['idle'].id}/utilisation", status=404)
    api.call("other_unit", "GET", f"/systems/{site['idle'].id}/utilisation", status=404)  # another unit's system


def test_purge_keeps_rollups_and_drops_old_samples(app, client, frozen, site):
    old, recent = date(2025, 6, 1), date(2025, 9, 1)
    send(client, site["xh_headers"], [sample(site["idle"].id, old), sample(site["idle"].id, recent)])
    # 90 days before 22 September is 24 June: the June sample goes, the September one stays.
    run = run_job(app, registry.get("monitoring.purge_samples"), now=datetime(2025, 9, 22, 1, tzinfo=UTC))
    assert run.message == "purged 1 samples older than 90 days"
    db.session.expire_all()
    assert [s.day for s in db.session.scalars(all_tenants(select(UtilisationSample)))] == [recent]
    assert sorted(d.day for d in db.session.scalars(all_tenants(select(UtilisationDaily)))) == [old, recent]
    again = run_job(app, registry.get("monitoring.purge_samples"), now=datetime(2025, 9, 22, 2, tzinfo=UTC))
    assert again.message == "purged 0 samples older than 90 days"
