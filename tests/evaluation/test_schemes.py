"""Evaluation schemes (M.33, M.27): who may set them and every rule with its field."""
from __future__ import annotations

import copy

from tests.evaluation.conftest import UNIT_SCHEME, VENDOR_SCHEME


def fields_of(api, subject, scheme, status=422):
    answer = api.put("authority", f"/evaluation-schemes/{subject}", scheme, status=status)
    return answer["error"]["fields"]


def test_valid_scheme_is_saved_whole_and_readable_by_all(api, world):
    api.get("unit", "/evaluation-schemes/vendor", status=404)
    saved = api.put("authority", "/evaluation-schemes/vendor", VENDOR_SCHEME)
    assert [w["weight"] for w in saved["weights"]] == ["40.00", "30.00", "30.00"]
    assert (saved["bands"][0]["min_score"], saved["bands"][0]["coefficient"]) == ("90.00", "1.0000")
    changed = dict(VENDOR_SCHEME, weights=[{"indicator": "vendor.service", "weight": "100"}])
    api.put("authority", "/evaluation-schemes/vendor", changed)
    read = api.get("vendor1", "/evaluation-schemes/vendor")
    assert ([w["indicator"] for w in read["weights"]], read["updated_by"]) == (["vendor.service"], "authority1")
    keys = {i["key"]: i["subject"] for i in api.get("unit", "/evaluation-indicators")}
    assert keys["vendor.delivery"] == "vendor" and keys["test.unit_use"] == "unit"
    api.put("unit", "/evaluation-schemes/vendor", VENDOR_SCHEME, status=403)
    api.put("eitc", "/evaluation-schemes/vendor", VENDOR_SCHEME, status=403)
    api.put("authority", "/evaluation-schemes/staff", VENDOR_SCHEME, status=404)


def test_every_rule_names_its_field(api, world):
    bad = copy.deepcopy(VENDOR_SCHEME)
    bad["weights"][0]["weight"] = "30"  # sums to 90
    assert fields_of(api, "vendor", bad)["weights"] == ["The weights must add up to 100 (they add up to 90.00)."]
    bad = copy.deepcopy(VENDOR_SCHEME)
    bad["weights"][0]["indicator"] = "test.unit_use"  # a unit indicator in a vendor scheme
    assert "weights.0.indicator" in fields_of(api, "vendor", bad)
    bad["weights"][0]["indicator"] = "vendor.delivery"  # weighted twice
    assert fields_of(api, "vendor", bad)["weights.1.indicator"] == ["This indicator is weighted twice."]
    bad = copy.deepcopy(VENDOR_SCHEME)
    bad["weights"] = [{"indicator": "vendor.service", "weight": "0"}, {"indicator": "vendor.delivery", "weight": "100"}]
    assert "weights.0.weight" in fields_of(api, "vendor", bad)

    bad = copy.deepcopy(VENDOR_SCHEME)
    bad["bands"][1]["min_score"] = "85"  # 80–85 uncovered
    assert fields_of(api, "vendor", bad)["bands"] == [
        "The ranges must be contiguous and cover 0 to 100 without gaps or overlaps."]
    bad["bands"][1]["min_score"] = "75"  # overlaps 60–80
    assert "bands" in fields_of(api, "vendor", bad)
    bad = copy.deepcopy(VENDOR_SCHEME)
    bad["bands"][3]["min_score"] = "10"  # 0–10 uncovered
    assert "bands" in fields_of(api, "vendor", bad)
    bad = copy.deepcopy(VENDOR_SCHEME)
    bad["bands"][0]["coefficient"] = "1.5"
    bad["bands"][3]["coefficient"] = "0"
    errors = fields_of(api, "vendor", bad)
    assert errors["bands.0.coefficient"] == errors["bands.3.coefficient"] == [
        "A coefficient must be more than 0 and at most 1.2."]
    assert fields_of(api, "vendor", dict(VENDOR_SCHEME, bands=[]))["bands"] == [
        "A vendor scheme needs a coefficient table."]
    assert "bands.0" in fields_of(api, "vendor", dict(VENDOR_SCHEME, bands=[
        {"min_score": "0", "max_score": "120", "coefficient": "1"}]))

    assert "missing_score" in fields_of(api, "unit", dict(UNIT_SCHEME, missing_score=None))
    assert "missing_score" in fields_of(api, "unit", dict(UNIT_SCHEME, missing_score="101"))
    assert "missing_policy" in fields_of(api, "unit", dict(UNIT_SCHEME, missing_policy="average"))
    grades = [{"grade": "A", "min_score": "90"}, {"grade": "A", "min_score": "90"}]
    errors = fields_of(api, "unit", dict(UNIT_SCHEME, grades=grades))
    assert set(errors) == {"grades.1.grade", "grades.1.min_score"}
    assert api.put("authority", "/evaluation-schemes/unit", UNIT_SCHEME)["bands"] == []  # units: no table needed
