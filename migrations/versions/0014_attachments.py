"""attachments, outside applicants and dedicated domains (M.7, M.11)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 18:30:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    pass  # reserved for this area's tables; no schema change yet


def downgrade():
    pass
