"""Periodic work of the inbox: the notification scan (new tasks, due soon, overdue).

Listed in ``app.jobs.registry.DOMAIN_JOB_MODULES`` as ``app.inbox.jobs``; the scheduler wraps it
(context, session, log, commit or rollback, run record, lock). Safe to run twice: see
``app.inbox.notifications``.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.inbox import notifications
from app.jobs.registry import JobContext, periodic


# Every minute: a new task should reach its group while it is still news; a run with nothing
# to do costs three indexed look-ups.
@periodic("inbox.notify", interval={"minutes": 1}, timeout_minutes=10,
          description=_l("Notify approvers of new, assigned, due-soon and overdue tasks"))
def notify(ctx: JobContext) -> str:
    """Notify approvers of new, assigned, due-soon and overdue tasks."""
    return notifications.scan(ctx.session, now=ctx.now).summary()
