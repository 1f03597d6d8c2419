"""Roles and tenants as the design names them (DESIGN §1).

Role codes double as BPMN candidate groups, so they never change once deployed.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

CITY = "city"

# P.4(5): each district is a logically isolated tenant; the city level is tenant ``city``.
DISTRICTS: dict[str, str] = {
    "huangpu": "黄浦区",
    "xuhui": "徐汇区",
    "changning": "长宁区",
    "jingan": "静安区",
    "putuo": "普陀区",
    "hongkou": "虹口区",
    "yangpu": "杨浦区",
    "minhang": "闵行区",
    "baoshan": "宝山区",
    "jiading": "嘉定区",
    "pudong": "浦东新区",
    "jinshan": "金山区",
    "songjiang": "松江区",
    "qingpu": "青浦区",
    "fengxian": "奉贤区",
    "chongming": "崇明区",
}

ROLE_LABELS = {
    "authority": _l("Cloud authority (municipal general office)"),
    "eitc": _l("Economy and informatisation commission"),
    "bdc": _l("Big data centre (city cloud operator)"),
    "procurement": _l("Government procurement centre"),
    "district.authority": _l("District cloud authority"),
    "district.operator": _l("District cloud operator"),
    "district.finance": _l("District finance"),
    "unit": _l("User unit"),
    "vendor": _l("Cloud vendor"),
    "process_owner": _l("Process owner"),
    "admin": _l("Administrator"),
}
ROLES = frozenset(ROLE_LABELS)

# DESIGN §1: city roles see across districts, for their role only; everyone else sees their tenant.
CITY_WIDE_ROLES = frozenset({"authority", "eitc", "bdc", "procurement", "process_owner", "admin"})
DISTRICT_ROLES = frozenset({"district.authority", "district.operator", "district.finance"})

ORGANISATION_KINDS = {
    "authority": _l("Cloud authority"),
    "eitc": _l("Economy and informatisation commission"),
    "bdc": _l("Big data centre"),
    "procurement": _l("Procurement centre"),
    "district_authority": _l("District cloud authority"),
    "district_operator": _l("District cloud operator"),
    "district_finance": _l("District finance department"),
    "city_unit": _l("City user unit"),
    "district_unit": _l("District user unit"),
    "vendor": _l("Cloud vendor"),
    "outside": _l("Outside body (via its supervising department)"),  # M.7
}

# Which roles a member of each kind of organisation may hold; keeps role grants coherent.
ROLES_BY_KIND = {
    "authority": {"authority", "admin", "process_owner"},
    "eitc": {"eitc"},
    "bdc": {"bdc", "admin", "process_owner"},
    "procurement": {"procurement"},
    "district_authority": {"district.authority"},
    "district_operator": {"district.operator"},
    "district_finance": {"district.finance"},
    "city_unit": {"unit"},
    "district_unit": {"unit"},
    "vendor": {"vendor"},
    "outside": {"unit"},  # M.7: accepted outside bodies are handled like any unit
}
DISTRICT_KINDS = frozenset({"district_authority", "district_operator", "district_finance", "district_unit"})
