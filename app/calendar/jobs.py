"""Periodic checks of the working-day calendar."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.calendar import service as calendar_service
from app.jobs.registry import JobContext, periodic


@periodic("calendar.next_year_check", cron={"hour": 9, "minute": 5}, timeout_minutes=10,
          description=_l("Warns when a year's official holidays are not loaded (from November: next year's)."))
def next_year_check(ctx: JobContext) -> str:
    """Warns when a year's official holidays are not loaded.

    DESIGN §4: deadlines in a year without published holidays are counted on weekdays and
    marked provisional. The State Council announces next year's list around November; from
    then on an admin should load it (``flask calendar seed`` after upgrading chinese-calendar,
    or by hand) before deadlines reach into that year.
    """
    missing = calendar_service.years_needing_data(ctx.session, today=ctx.today)
    for year in missing:
        ctx.warn(f"the official holidays of {year} are not loaded: deadlines in {year} are provisional "
                 f"(weekdays only). Load them with `flask calendar seed --year {year}` once chinese-calendar "
                 "knows them, or enter them by hand and publish the year.")
    if missing:
        return f"years needing data: {', '.join(map(str, missing))}"
    return f"calendar complete for {ctx.today.year}" + (f" and {ctx.today.year + 1}" if ctx.today.month >= 11 else "")
