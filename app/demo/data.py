"""Demo organisations and users: the city bodies and three districts, one user per role.

Loaded only by ``flask demo load`` (``make run`` calls it). Production databases get users
through ``flask users create``.
"""
from __future__ import annotations

DEMO_PASSWORD = "yunguan-demo"  # noqa: S105 - documented demo password
DEMO_DISTRICTS = ("huangpu", "xuhui", "pudong")

# (code, name, kind, tenant)
CITY_ORGANISATIONS = [
    ("authority", "上海市人民政府办公厅", "authority", "city"),
    ("eitc", "上海市经济和信息化委员会", "eitc", "city"),
    ("bdc", "上海市大数据中心", "bdc", "city"),
    ("procurement", "上海市政府采购中心", "procurement", "city"),
    ("city.edu", "上海市教育委员会", "city_unit", "city"),
    ("vendor.alpha", "甲云计算有限公司", "vendor", "city"),
    ("vendor.beta", "乙数据科技有限公司", "vendor", "city"),
]

DISTRICT_ORGANISATIONS = [
    # (suffix, name template, kind)
    ("authority", "{d}政务云主管部门", "district_authority"),
    ("operator", "{d}政务云运行管理单位", "district_operator"),
    ("finance", "{d}财政局", "district_finance"),
    ("health", "{d}卫生健康委员会", "district_unit"),
]

# (username, display name, organisation code, roles)
CITY_USERS = [
    ("authority", "王主管", "authority", {"authority"}),
    ("eitc", "李经信", "eitc", {"eitc"}),
    ("bdc", "张运维", "bdc", {"bdc"}),
    ("procurement", "赵采购", "procurement", {"procurement"}),
    ("admin", "系统管理员", "bdc", {"admin"}),
    ("owner", "流程负责人", "bdc", {"process_owner"}),
    ("cityunit", "市教委用户", "city.edu", {"unit"}),
    ("vendor", "甲云客户经理", "vendor.alpha", {"vendor"}),
    ("vendor2", "乙数据客户经理", "vendor.beta", {"vendor"}),
]

DISTRICT_USERS = [
    # (suffix, display template, organisation suffix, roles)
    ("authority", "{d}主管", "authority", {"district.authority"}),
    ("operator", "{d}运维", "operator", {"district.operator"}),
    ("finance", "{d}财政", "finance", {"district.finance"}),
    ("unit", "{d}卫健委用户", "health", {"unit"}),
]
