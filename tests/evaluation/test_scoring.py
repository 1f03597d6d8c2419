"""The arithmetic of a score, by hand: weights, the three ways to count a missing indicator, grades,
coefficient bands and their edges, periods."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.evaluation import scoring

SCHEME = {"missing_policy": "reweight", "missing_score": None, "weights": {"a": "50", "b": "30", "c": "20"},
          "grades": [["优秀", "90"], ["合格", "60"]],
          "bands": [["90", "100", "1.00"], ["60", "90", "0.97"], ["0", "60", "0.90"]]}
D = Decimal


def test_missing_indicator_policies():
    scores = {"a": D(80), "b": None, "c": D("95.5")}
    reweighted = scoring.weighted(SCHEME, scores)  # (80×50 + 95.5×20)/70 = 5910/70 = 84.428…
    zero = scoring.weighted(dict(SCHEME, missing_policy="zero"), scores)  # (4000 + 1910)/100
    fixed = scoring.weighted(dict(SCHEME, missing_policy="fixed", missing_score="60"), scores)  # + 60×30
    assert (reweighted.score, zero.score, fixed.score) == (D("84.43"), D("59.10"), D("77.10"))
    assert (reweighted.grade, zero.grade, fixed.grade) == ("合格", "", "合格")
    assert (reweighted.coefficient, zero.coefficient, fixed.coefficient) == (D("0.97"), D("0.90"), D("0.97"))
    assert fixed.details["b"] == {"score": None, "weight": "30", "counted": "60.00"}
    assert scoring.weighted(SCHEME, {"a": None}) is None  # nothing known: not evaluated


def test_band_edges_belong_to_the_upper_band_and_100_to_the_top():
    assert [scoring.coefficient_of(SCHEME, D(s)) for s in ("0", "59.99", "60", "89.99", "90", "100")] == [
        D("0.90"), D("0.90"), D("0.97"), D("0.97"), D("1.00"), D("1.00")]
    assert scoring.grade_of(SCHEME, D("90.00")) == "优秀"


def test_periods():
    assert scoring.previous_quarter(date(2026, 1, 10)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert scoring.parse_quarter("2025q2") == (date(2025, 4, 1), date(2025, 6, 30))
    assert scoring.next_period(date(2025, 10, 1), date(2025, 12, 31)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert scoring.next_period(date(2025, 1, 1), date(2025, 1, 31)) == (date(2025, 2, 1), date(2025, 2, 28))
    assert scoring.next_period(date(2025, 1, 5), date(2025, 1, 14)) == (date(2025, 1, 15), date(2025, 1, 24))
    assert scoring.quarter_label(date(2025, 1, 5), date(2025, 1, 14)) == "2025-01-05–2025-01-14"
