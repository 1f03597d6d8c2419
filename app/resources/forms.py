"""Reading the resource pages' HTML posts into the arguments the services take.

Plain HTML forms (no JavaScript needed): repeated rows are numbered fields (``quota-0-item``).
Anything unreadable is a ValidationFailed naming the field, shown on the page like a rule.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.errors import ValidationFailed

QUOTA_ROWS = 6


def _fail(name: str, reason: str) -> ValidationFailed:
    return ValidationFailed(_("Some fields are invalid."), fields={name: [reason]})


def decimal(form: MultiDict, name: str, *, required: bool = True) -> Decimal | None:
    text = (form.get(name) or "").strip()
    if not text:
        if required:
            raise _fail(name, _("Required."))
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _fail(name, _("Enter a number."))
    if not value.is_finite() or value <= 0:
        raise _fail(name, _("Enter a quantity above zero."))
    return value


def day(form: MultiDict, name: str) -> date:
    try:
        return date.fromisoformat((form.get(name) or "").strip())
    except ValueError:
        raise _fail(name, _("Enter a date as YYYY-MM-DD."))


def flag(form: MultiDict, name: str) -> bool:
    return form.get(name) in ("on", "true", "1", "y")


def text(form: MultiDict, name: str, limit: int = 2000) -> str:
    return (form.get(name) or "").strip()[:limit]


def project(form: MultiDict) -> dict[str, Any]:
    """The quota application (M.18) from ``resources/new_project.html``."""
    try:
        level = int(form.get("mlps_level") or 0)
    except ValueError:
        raise _fail("mlps_level", _("Enter a whole number."))
    quotas = []
    for row in range(QUOTA_ROWS):
        code = text(form, f"quota-{row}-item", 40)
        if code:
            quotas.append({"item_code": code, "quantity": decimal(form, f"quota-{row}-quantity"),
                           "peak_quantity": decimal(form, f"quota-{row}-peak", required=False)})
    return {"name": text(form, "name", 200), "description": text(form, "description"), "mlps_level": level,
            "classified": flag(form, "classified"), "periodic": flag(form, "periodic"),
            "periodic_load": text(form, "periodic_load"), "key_work": flag(form, "key_work"),
            "special_meeting": text(form, "special_meeting", 200), "quotas": quotas}


def expansion(form: MultiDict) -> dict[str, Any]:
    lines = [{"allocation_id": int(key.removeprefix("increase-")), "quantity": decimal(form, key)}
             for key in form if key.startswith("increase-") and key.removeprefix("increase-").isdigit()
             and (form.get(key) or "").strip()]
    return {"lines": lines, "reason": text(form, "reason")}


def reclaim(form: MultiDict) -> dict[str, Any]:
    ids = [int(v) for v in form.getlist("allocation") if v.isdigit()]
    return {"allocation_ids": ids, "reason": text(form, "reason")}


def special(form: MultiDict) -> dict[str, Any]:
    return {"kind": text(form, "kind", 16), "expires_on": day(form, "expires_on"), "reason": text(form, "reason"),
            "basis": text(form, "basis", 200), "external_access": flag(form, "external_access"),
            "lines": [{"item_code": text(form, "item_code", 40), "quantity": decimal(form, "quantity")}]}


def extension(form: MultiDict) -> dict[str, Any]:
    return {"expires_on": day(form, "expires_on"), "reason": text(form, "reason")}


def granted(form: MultiDict) -> dict[int, Decimal]:
    return {int(key.removeprefix("granted-")): decimal(form, key) for key in form
            if key.startswith("granted-") and key.removeprefix("granted-").isdigit()}
