"""calendar

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00.000000

"""
from datetime import datetime, timezone
from importlib.metadata import version

from alembic import op
import sqlalchemy as sa

# Frozen copy: a migration must not change when app code does.
NAMES_ZH = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint("source IN ('package', 'admin')", name=op.f('ck_calendar_day_source')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_day'))
    )
    op.create_table('calendar_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('loaded_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint("source IN ('package', 'admin')", name=op.f('ck_calendar_year_source')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_year'))
    )
    _seed()


def _seed():
    """DESIGN §4: the State Council's lists known to chinese-calendar, so a new install counts
    working days right from the start. Only exceptions to Mon–Fri are stored. Later package
    upgrades (next year's list) are loaded with ``flask calendar seed``."""
    from chinese_calendar.constants import holidays, workdays

    now, by = datetime.now(timezone.utc), f"chinese-calendar {version('chinese-calendar')}"
    days = [
        {"day": d, "is_workday": False, "name": NAMES_ZH.get(n, n), "note": "放假"}
        for d, n in holidays.items() if d.weekday() < 5
    ] + [
        {"day": d, "is_workday": True, "name": NAMES_ZH.get(n, n), "note": "调休上班"}
        for d, n in workdays.items() if d.weekday() >= 5
    ]
    years = sorted({d.year for d in holidays} | {d.year for d in workdays})
    day_table = sa.table("calendar_day", *(sa.column(c) for c in (
        "day", "is_workday", "name", "note", "source", "updated_at", "updated_by")))
    year_table = sa.table("calendar_year", *(sa.column(c) for c in (
        "year", "published", "source", "loaded_at", "loaded_by")))
    op.bulk_insert(day_table, [
        {**row, "source": "package", "updated_at": now, "updated_by": by}
        for row in sorted(days, key=lambda r: r["day"])
    ])
    op.bulk_insert(year_table, [
        {"year": y, "published": True, "source": "package", "loaded_at": now, "loaded_by": by} for y in years
    ])


def downgrade():
    op.drop_table('calendar_year')
    op.drop_table('calendar_day')
