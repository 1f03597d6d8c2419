"""solicitation rounds and procurement results (P.4(1)-(4))

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 18:30:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    pass  # reserved for this area's tables; no schema change yet


def downgrade():
    pass
