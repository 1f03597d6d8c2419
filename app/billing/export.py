"""Statements as an Excel workbook (openpyxl): a summary sheet and one sheet per district.

Figures are written as numbers with number formats (never as text), so a finance officer can sum
and filter them; the evidence of every line (price source, contract or catalogue version) comes too.
"""
from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from app.accounts.roles import CITY, DISTRICTS
from app.billing import service
from app.billing.models import Statement
from app.security import Actor

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AMOUNT, QUANTITY, PRICE, COEFFICIENT = "#,##0.00", "#,##0.0000", "#,##0.000000", "0.0000"
SUMMARY_HEAD = ("结算主体", "结算单数", "合计金额（元）", "区级承担（元）", "市级承担（灾备共用，元）")
LINE_HEAD = (("结算单号", None), ("期间", None), ("状态", None), ("付费方", None), ("服务商", None),
             ("服务事项", None), ("名称", None), ("计价方式", None), ("价格来源", None), ("依据", None),
             ("起", None), ("止", None), ("用量", QUANTITY), ("单价（元）", PRICE), ("效能系数", COEFFICIENT),
             ("金额（元）", AMOUNT), ("灾备", None))


def tenant_name(tenant_id: str) -> str:
    return "市级" if tenant_id == CITY else DISTRICTS.get(tenant_id, tenant_id)


def workbook_for(session: Session, actor: Actor, period: str) -> tuple[io.BytesIO, str]:
    start, end = service.parse_period(period)
    service.require_reader(actor)
    stmt = service.visible(session, actor, Statement.period_start >= start, Statement.period_start <= end)
    statements = list(session.scalars(stmt.order_by(Statement.tenant_id, Statement.period_start, Statement.id)))
    names = service.names(session, {s.vendor_id for s in statements} | {s.organisation_id for s in statements})
    data = io.BytesIO()
    build(statements, names).save(data)
    data.seek(0)
    return data, f"settlement-{period}.xlsx"


def build(statements: list[Statement], names: dict[int, str]) -> Workbook:
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    by_tenant: dict[str, list[Statement]] = defaultdict(list)
    for statement in statements:
        by_tenant[statement.tenant_id].append(statement)
    _row(summary, 1, SUMMARY_HEAD, bold=True)
    row = 2
    totals = [Decimal(0)] * 3
    for tenant_id, group in sorted(by_tenant.items()):
        figures = [sum((getattr(s, f) for s in group), Decimal("0.00"))
                   for f in ("total", "district_funded", "city_funded")]
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        _row(summary, row, (tenant_name(tenant_id), len(group), *figures), formats=(None, "0", *[AMOUNT] * 3))
        row += 1
        _district_sheet(book, tenant_id, group, names)
    _row(summary, row, ("合计", len(statements), *totals), formats=(None, "0", *[AMOUNT] * 3), bold=True)
    _widths(summary, (16, 10, 18, 18, 22))
    return book


def _district_sheet(book: Workbook, tenant_id: str, statements: list[Statement], names: dict[int, str]) -> None:
    sheet = book.create_sheet(tenant_name(tenant_id)[:31])
    _row(sheet, 1, [head for head, _f in LINE_HEAD], bold=True)
    formats = [fmt for _h, fmt in LINE_HEAD]
    row = 2
    for statement in statements:
        payer = names.get(statement.organisation_id, "") if statement.organisation_id else tenant_name(tenant_id)
        vendor = names.get(statement.vendor_id, "") if statement.vendor_id else "（目录价）"
        for line in statement.lines:
            _row(sheet, row, (statement.number, statement.period_label, statement.status, payer, vendor,
                              line.item_code, line.item_name, line.pricing_type, line.price_source, line.source_ref,
                              line.first_day, line.last_day, line.quantity, line.unit_price, line.coefficient,
                              line.amount, line.dr_funding or ""), formats=formats)
            row += 1
        _row(sheet, row, (statement.number, "", "", "", "", "", "小计", "", "", "", None, None, None, None, None,
                          statement.total, ""), formats=formats, bold=True)
        row += 1
    sheet.freeze_panes = "A2"
    _widths(sheet, (26, 9, 10, 14, 14, 12, 18, 9, 11, 20, 11, 11, 14, 14, 9, 14, 9))


def _row(sheet, row: int, values, *, formats=None, bold: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        if formats and formats[column - 1] and value is not None and value != "":
            cell.number_format = formats[column - 1]
        if bold:
            cell.font = Font(bold=True)


def _widths(sheet, widths) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
