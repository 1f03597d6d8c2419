"""utilisation samples, rollups, idle/zombie rules and findings (M.13, M.25)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 18:30:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    pass  # reserved for this area's tables; no schema change yet


def downgrade():
    pass
