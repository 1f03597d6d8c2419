"""The security commitment (上云安全承诺书, M.30), generated as Markdown text from the project's data.

The task form shows it (form text components render Markdown); the page shows it as HTML; the unit
confirms exactly this text (its SHA-256 is kept with the signature).
"""
from __future__ import annotations

from datetime import datetime

from app.calendar.rules import local_date
from app.onboarding.models import GoLiveCheck, GoLiveStep

PLEDGES = (
    "严格落实国家网络安全和商用密码应用要求，与信息系统同步规划、同步建设、同步运行网络安全体系与密码保障体系；",
    "做好信息系统的网络安全等级保护，在运行期间持续开展等级保护复测；",
    "做好数据安全保护工作，按规定开展数据备份；",
    "发现网络安全事件及时报告政务云运行管理单位，配合开展应急处置；",
    "对上述承诺及所提交材料的真实性负责。",
)


def commitment_text(check: GoLiveCheck, steps: dict[str, GoLiveStep], now: datetime) -> str:
    from app.onboarding.golive import STAGE_LABELS

    project = check.project
    lines = [
        "## 上云安全承诺书",
        "",
        f"承诺单位：{project.organisation.name}  ",
        f"信息系统：{project.name}（{project.code}），网络安全等级保护第{project.mlps_level}级  ",
        f"编号：{check.number}",
        "",
        "本单位已在信息系统正式上线前完成以下安全工作（《上海市政务云管理暂行办法》第三十条）：",
        "",
    ]
    for stage, label in STAGE_LABELS.items():
        step = steps[stage]
        evidence = "、".join(f"#{i}" for i in step.attachment_ids) or "无"
        lines.append(f"- {label}：{len(step.checklist)} 项已完成，证明材料 {evidence}（{step.done_by}）")
    lines += ["", "本单位承诺："]
    lines += [f"{n}. {pledge}" for n, pledge in enumerate(PLEDGES, 1)]
    lines += ["", f"生成日期：{local_date(now).isoformat()}"]
    return "\n".join(lines)
