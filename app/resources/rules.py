"""The numeric and eligibility rules of the Measures for resources, as plain functions.

Each refusal quotes the rule to the user (msgid in English, the Chinese catalogue quotes the
article) and names the numbers in ``fields``. No database here: callers pass the figures and the
working-day calendar, so every boundary can be tested exactly.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.calendar.rules import WorkCalendar
from app.errors import ValidationFailed
from app.resources.models import DEVELOPMENT, EMERGENCY, TEMPORARY

DEV_SHARE = Decimal("0.15")  # M.22: development resources ≤ 15 % of the project quota
OVER_QUOTA_SHARE = Decimal("1.20")  # M.20: above 120 % of the project quota, eitc decides
EXTENSION_LEAD_WORKDAYS = 15  # M.23, M.24: extensions at least 15 working days before expiry
TERM_MONTHS = {DEVELOPMENT: 3, EMERGENCY: 3, TEMPORARY: 6}  # M.22, M.23, M.24
VERIFY_MONTHS = 1  # M.19: test resources verified within one month
TEST_OPEN_WORKDAYS, FORMAL_OPEN_WORKDAYS = 5, 2  # M.19
EXPANSION_WORKDAYS, RECLAIM_WORKDAYS = 5, 10  # M.20, M.21


def plain(number: Decimal) -> str:
    """A quantity as people write it: 15, 1.5 — not 15.0000."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def rule_error(message: str, code: str, **fields: str) -> ValidationFailed:
    return ValidationFailed(message, fields={k: [v] for k, v in fields.items()}, code=code)


# -- M.20 expansion ----------------------------------------------------------------------------
def over_quota(quota: Decimal, total_after: Decimal) -> bool:
    """M.20: the total after expansion *exceeds* 120 % of the project quota (exactly 120 % does not)."""
    return total_after > quota * OVER_QUOTA_SHARE


# -- M.22 development resources ------------------------------------------------------------------
def check_development_share(*, item_name: str, quota: Decimal, held: Decimal, requested: Decimal) -> None:
    """M.22: development resources of an item, those held and those asked for, stay within 15 %
    of the project quota of that item (exactly 15 % is allowed)."""
    limit = quota * DEV_SHARE
    if held + requested > limit:
        raise rule_error(
            _("Development resources may not exceed 15 percent of the project quota (Article 22)."), "rule_m22_share",
            quantity=_("%(item)s: project quota %(quota)s, development resources held or pending %(held)s, "
                       "requested %(requested)s, limit %(limit)s.", item=item_name, quota=plain(quota),
                       held=plain(held), requested=plain(requested), limit=plain(limit)))


def check_development_project(*, is_city: bool, approved: bool) -> None:
    if not (is_city and approved):
        # M.22: 市级使用单位已立项信息系统.
        raise rule_error(_("Development resources are only for approved projects of city-level units "
                           "(Article 22)."), "rule_m22_project", project_id=_("not an approved city project"))


def check_not_external(external_access: bool) -> None:
    if external_access:
        # M.22: 开发资源不对外提供服务.
        raise rule_error(_("Development resources do not provide services to the outside (Article 22)."),
                         "rule_m22_external", external_access=_("must be false"))


# -- M.24 temporary resources --------------------------------------------------------------------
def check_temporary_project(*, approved: bool, key_work: bool, special_meeting: str) -> None:
    """M.24: a project not yet approved, on the annual key-work list (1) or decided by a special
    meeting and already filed for approval (2)."""
    if approved or not (key_work or special_meeting.strip()):
        raise rule_error(
            _("Temporary resources are only for projects not yet approved that are on the annual key-work "
              "list or were decided by a special meeting and filed for approval (Article 24)."),
            "rule_m24_project", project_id=_("not eligible for temporary resources"))


# -- M.22–M.24 terms -----------------------------------------------------------------------------
TERM_MESSAGES = {
    DEVELOPMENT: (_l("Development resources may be used for at most three months from allocation (Article 22)."),
                  "rule_m22_term"),
    EMERGENCY: (_l("Emergency resources may be used for at most three months from allocation (Article 23)."),
                "rule_m23_term"),
    TEMPORARY: (_l("Temporary resources may be used for at most six months from allocation (Article 24)."),
                "rule_m24_term"),
}


def latest_expiry(calendar: WorkCalendar, kind: str, start: date) -> date:
    """The last allowed day of use: ``start`` plus the term in months, counted per the Civil Code
    (art. 201: the start day is not counted; art. 202: same date of the target month or its last
    day; art. 203: a last day that is not a working day moves to the next working day)."""
    return calendar.add_months(start, TERM_MONTHS[kind]).day


def check_term(calendar: WorkCalendar, kind: str, start: date, expires_on: date) -> None:
    if expires_on <= start:
        raise rule_error(_("The expiry date must be after the start date."), "expiry_before_start",
                         expires_on=expires_on.isoformat())
    limit = latest_expiry(calendar, kind, start)
    if expires_on > limit:
        message, code = TERM_MESSAGES[kind]
        raise rule_error(str(message), code, expires_on=_("%(day)s is after the last allowed day %(limit)s.",
                                                        day=expires_on.isoformat(), limit=limit.isoformat()))


# -- M.23, M.24 extensions -----------------------------------------------------------------------
def check_extension_lead(calendar: WorkCalendar, request_day: date, expires_on: date) -> None:
    """M.23, M.24: at least 15 working days before expiry — the request day plus 15 working days
    is no later than the expiry day (DESIGN §4)."""
    if not calendar.at_least_workdays_before(request_day, expires_on, EXTENSION_LEAD_WORKDAYS):
        latest = calendar.latest_request_day(expires_on, EXTENSION_LEAD_WORKDAYS).day
        raise rule_error(
            _("An extension must be requested at least 15 working days before expiry (Articles 23 and 24)."),
            "rule_m23_lead", expires_on=_("Expiry %(expiry)s: the last day to ask was %(latest)s.",
                                          expiry=expires_on.isoformat(), latest=latest.isoformat()))


def check_extendable(kind: str) -> None:
    if kind == DEVELOPMENT:
        # M.22 sets at most three months and, unlike M.23 and M.24, provides no extension.
        raise rule_error(_("Development resources are used for at most three months and are not extended; "
                           "apply again (Article 22)."), "rule_m22_no_extension", allocation_id=_("development"))
    if kind not in (EMERGENCY, TEMPORARY):
        raise rule_error(_("Only emergency and temporary resources are extended (Articles 23 and 24)."),
                         "not_extendable", allocation_id=kind)
