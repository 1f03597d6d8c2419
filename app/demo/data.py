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

# -- resources (helper): the city service catalogue and sample projects -------------------------------
# (code, layer, name, content, pricing unit, unit price, pricing type, tier mode, tiers [(lower bound, price)])
CATALOGUE_TITLE = "上海市政务云服务目录（2025年版）"
CATALOGUE_ITEMS = [
    ("IAAS-VCPU", "iaas", "云主机 vCPU", "通用型云主机计算资源，按核计", "核·月", "45.00", "unit", None, []),
    ("IAAS-MEM", "iaas", "云主机内存", "通用型云主机内存", "GB·月", "12.00", "unit", None, []),
    ("IAAS-SSD", "iaas", "块存储（SSD）", "高性能云硬盘，三副本", "GB·月", "0.80", "unit", None, []),
    ("IAAS-HDD", "iaas", "块存储（容量型）", "容量型云硬盘，三副本", "GB·月", "0.30", "unit", None, []),
    ("IAAS-OSS", "iaas", "对象存储", "标准存储，同城冗余；全市年度总量阶梯计价", "GB·月", "0.12", "tiered", "graduated",
     [("0", "0.12"), ("10240", "0.10"), ("102400", "0.08")]),
    ("IAAS-BW", "iaas", "互联网带宽", "BGP 互联网出口带宽", "Mbps·月", "60.00", "tiered", "volume",
     [("0", "60.00"), ("100", "50.00"), ("500", "40.00")]),
    ("PAAS-RDS", "paas", "关系型数据库 MySQL", "4核16G 高可用版，含备份", "实例·月", "1800.00", "unit", None, []),
    ("PAAS-REDIS", "paas", "缓存数据库 Redis", "8GB 主备版", "实例·月", "600.00", "unit", None, []),
    ("SAAS-OS-LIC", "saas", "服务器操作系统许可", "国产服务器操作系统，含升级服务", "套·年", "3200.00", "licence", None,
     []),
    ("SAAS-DB-LIC", "saas", "数据库软件许可", "国产数据库标准版", "套·年", "28000.00", "licence", None, []),
    ("SAAS-WAF", "saas", "Web应用防火墙", "云 WAF，按防护域名计", "域名·月", "300.00", "unit", None, []),
]
# (code, organisation code, name, periodic load, [(item code, quota, peak quota or None, held as formal)])
PROJECTS = [
    ("XM-DEMO-HP-01", "huangpu.health", "区域健康信息平台", "",
     [("IAAS-VCPU", "64", None, "48"), ("IAAS-MEM", "256", None, "192"), ("IAAS-SSD", "2000", None, "1500"),
      ("PAAS-RDS", "2", None, "2")]),
    ("XM-DEMO-XH-01", "xuhui.health", "社区卫生服务管理系统", "",
     [("IAAS-VCPU", "32", None, "32"), ("IAAS-MEM", "128", None, "120"), ("IAAS-OSS", "5000", None, "4000")]),
    ("XM-DEMO-PD-01", "pudong.health", "智慧养老服务平台", "每年春节前后探视预约高峰",
     [("IAAS-VCPU", "128", "160", "150"), ("IAAS-MEM", "512", None, "400"), ("IAAS-BW", "200", None, "200")]),
    ("XM-DEMO-CITY-01", "city.edu", "中小学招生入学系统", "每年4—7月招生报名高峰，负载约为平时两倍",
     [("IAAS-VCPU", "96", "192", "96"), ("IAAS-MEM", "384", "768", "384"), ("PAAS-RDS", "4", None, "2"),
      ("SAAS-OS-LIC", "12", None, "12")]),
]
