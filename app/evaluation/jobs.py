"""Scheduled evaluation (M.33): a quarterly start of ``efficiency_evaluation`` for the quarter just ended."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.jobs.registry import start_process

# M.33: evaluation is periodic; the first working days of a quarter evaluate the quarter before
# (the diagram's first step derives the period from the start time). Authority may also start
# one by hand for any finished period (POST /api/v1/evaluations).
quarterly_evaluation = start_process(
    "evaluation.quarterly", process_key="efficiency_evaluation",
    cron={"month": "1,4,7,10", "day": 10, "hour": 9, "minute": 0},
    description=_l("Starts the efficiency evaluation of the quarter just ended (Articles 33 and 34)."))
