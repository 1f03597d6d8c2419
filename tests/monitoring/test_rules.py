"""Detection rules an admin edits (M.25), and what the set-based scan raises with them."""
from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.resources.queries import log_event
from tests.monitoring.conftest import TODAY, WINDOW, daily_scan, idle_month, sample, send


def test_defaults_follow_design_4(api, site):
    rules = {r["key"]: r for r in api.get("admin", "/idle-rules")}
    assert {k: (r["window_days"], r["min_days"], r["cpu_max_pct"], r["network_max_mb"], r["business_max"])
            for k, r in rules.items()} == {"idle": (30, 30, "10.00", "5.000", 0), "zombie": (60, 60, None, None, 0)}


def test_admin_edits_a_rule_and_bad_values_are_refused_by_field(api, site):
    changed = api.put("admin", "/idle-rules/idle", {"window_days": 14, "min_days": 4, "cpu_max_pct": "5"})
    assert (changed["window_days"], changed["min_days"], changed["cpu_max_pct"], changed["updated_by"]) == (
        14, 4, "5.00", "admin1")
    assert changed["network_max_mb"] == "5.000"  # left out: kept

    refused = api.call("admin", "PUT", "/idle-rules/idle",
                       {"window_days": 10, "min_days": 11, "cpu_max_pct": "150", "business_max": -1,
                        "rectify_workdays": 0}, status=422).get_json()
    assert sorted(refused["error"]["fields"]) == ["business_max", "cpu_max_pct", "min_days", "rectify_workdays"]
    refused = api.call("admin", "PUT", "/idle-rules/idle", {"cpu_max_pct": None}, status=422).get_json()
    assert refused["error"]["fields"] == {"cpu_max_pct": ["The idle rule needs this threshold."]}
    assert api.call("admin", "PUT", "/idle-rules/idle", {"window_days": "many"}, status=422)
    assert api.get("admin", "/idle-rules")[0]["window_days"] == 14  # nothing half-applied

    api.call("bdc", "PUT", "/idle-rules/idle", {"window_days": 20}, status=403)
    api.call("admin", "PUT", "/idle-rules/other", {"window_days": 20}, status=404)


def test_a_gap_in_the_data_is_no_evidence(app, client, api, frozen, site):
    rows = idle_month(site["idle"].id)
    send(client, site["xh_headers"], rows[:10] + rows[11:])  # 29 days of data, the rule asks for 30
    assert "idle 0" in daily_scan(app).message
    api.put("admin", "/idle-rules/idle", {"min_days": 29})
    assert "idle 1" in daily_scan(app).message


def test_one_busy_day_or_some_traffic_keeps_a_system_off_the_list(app, client, api, frozen, site):
    rows = idle_month(site["idle"].id)
    rows[5] = sample(site["idle"].id, WINDOW[5], cpu="10.01")  # just above 10 %
    send(client, site["xh_headers"], rows + [sample(site["busy"].id, day, requests=1) for day in WINDOW])
    assert "idle 0" in daily_scan(app).message
    api.put("admin", "/idle-rules/idle", {"window_days": 14, "min_days": 4})  # AWS-like: 4 of 14 days
    assert "idle 1" in daily_scan(app).message
    assert [f["project_id"] for f in api.get("authority", "/idle-findings")] == [site["idle"].id]


def test_zombie_no_traffic_and_no_change_for_60_days(app, client, api, frozen, site):
    days = [TODAY - timedelta(days=n) for n in range(60, 0, -1)]
    # Busy CPU (a batch job nobody uses) but no business at all, on both systems.
    send(client, site["xh_headers"], [sample(p.id, d, cpu="60", network="50")
                                      for p in (site["idle"], site["busy"]) for d in days])
    # The busy system's resources were expanded 20 days ago: it is maintained, not a zombie.
    log_event(db.session, site["busy_vcpu"], "bdc1", "expanded", at=frozen.current - timedelta(days=20))
    db.session.commit()
    assert "zombie 1" in daily_scan(app).message
    [finding] = api.get("authority", "/idle-findings?rule=zombie")
    assert (finding["project_id"], finding["days_with_data"], finding["business_total"]) == (site["idle"].id, 60, 0)
    assert (finding["window_start"], finding["last_change_at"]) == ("2025-07-24", None)
    assert finding["thresholds"]["no_change"] is True
    assert "zombie 0" in daily_scan(app).message  # one open finding per system and rule
