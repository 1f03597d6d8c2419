"""The monthly settlement draft (M.27: 先用后付，按实结算)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.billing import process
from app.jobs.registry import JobContext, periodic
from app.security import SYSTEM


@periodic("billing.monthly_draft", cron={"day": 3, "hour": 2, "minute": 0}, timeout_minutes=60,
          description=_l("Drafts last month's settlement statements and starts their review."))
def monthly_draft(ctx: JobContext) -> str:
    """On the 3rd of each month (late usage has arrived), draft the previous month for every tenant
    with usage and start the settlement process; tenants drafted already are skipped."""
    started = process.draft_previous_month(ctx.session, SYSTEM, today=ctx.today)
    month = process.previous_month(ctx.today).strftime("%Y-%m")
    return f"{len(started)} settlement(s) started for {month}"
