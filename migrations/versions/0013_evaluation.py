"""evaluation schemes, scores and vendor feedback (M.33-34, P.4(7))

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 18:30:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    pass  # reserved for this area's tables; no schema change yet


def downgrade():
    pass
