"""vendor changes, go-live security, incidents and drills (M.28, M.30, M.31)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 18:30:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    pass  # reserved for this area's tables; no schema change yet


def downgrade():
    pass
