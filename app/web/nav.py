"""Navigation by role: each entry shows when its page exists and the user holds a role for it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    roles: frozenset[str] | None = None  # None: everyone logged in


NAV = [
    NavItem("web.index", _l("Home")),
    NavItem("inbox.index", _l("Inbox")),
    NavItem("resources.mine", _l("My resources"), frozenset({"unit"})),
    NavItem("resources.projects", _l("Projects"),
            frozenset({"bdc", "eitc", "authority", "district.authority", "district.operator"})),
    NavItem("catalog.index", _l("Service catalogue")),
    NavItem("evaluation.index", _l("Evaluation")),
    NavItem("governance.change_list", _l("Change plans"), frozenset({"vendor", "bdc", "authority", "eitc"})),
    NavItem("governance.incident_list", _l("Security incidents"),
            frozenset({"vendor", "bdc", "authority", "eitc", "unit", "district.authority", "district.operator"})),
    NavItem("governance.drill_list", _l("Drills"), frozenset({"vendor", "bdc", "authority", "eitc"})),
    NavItem("billing.index", _l("Settlement"), frozenset({"bdc", "eitc", "authority", "district.authority",
                                                         "district.operator", "district.finance", "vendor"})),
    NavItem("monitoring.index", _l("Utilisation"),
            frozenset({"unit", "bdc", "eitc", "authority", "admin", "district.authority", "district.operator"})),
    NavItem("procurement.solicitations", _l("Procurement"),
            frozenset({"bdc", "procurement", "district.authority", "district.finance", "district.operator"})),
    NavItem("procurement.contract_list", _l("Contracts"),
            frozenset({"bdc", "eitc", "procurement", "district.authority", "district.finance", "district.operator"})),
    NavItem("admin.dashboard", _l("Admin"), frozenset({"admin", "process_owner"})),
    NavItem("attachments.index", _l("Attachments")),
    NavItem("onboarding.index", _l("Going on the cloud")),
    NavItem("web.api_docs", _l("API")),
]


def nav_for_current_user() -> list[NavItem]:
    actor = g.get("actor")
    if actor is None:
        return []
    views = current_app.view_functions
    return [item for item in NAV
            if item.endpoint in views and (item.roles is None or actor.has_any(item.roles))]


def init_app(app: Flask) -> None:
    @app.context_processor
    def _inject_nav() -> dict:
        from app.accounts.roles import ROLE_LABELS

        return {"nav_items": nav_for_current_user(), "role_labels": ROLE_LABELS}
