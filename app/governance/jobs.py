"""Governance on a schedule: the periodic emergency drill (M.31: 定期组织开展应急演练).

The engine refuses BPMN timer *start* events (``app/workflow/event_checks.py``: in Camunda 7 the
engine starts instances from them, here instances are started through the API, a page or a job,
and SpiffWorkflow would only make one instance wait at its start). A drill on a schedule is
therefore a periodic job that starts ``security_drill`` once per occurrence (``start_process``:
idempotent per occurrence, run and recorded by the scheduler like every job).

Quarterly, on the 15th at 09:00 Shanghai time: "定期" leaves the period open; a quarter keeps a
drill in every budget quarter and the 15th avoids the New Year, May Day and National Day holidays.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.jobs.registry import start_process

security_drill = start_process("governance.security_drill", process_key="security_drill",
                               cron={"month": "1,4,7,10", "day": 15, "hour": 9, "minute": 0},
                               description=_l("Starts the quarterly security emergency drill (Article 31)."))
