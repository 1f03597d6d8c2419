"""metering: daily usage per resource and catalogue item (M.13, P.4(6))

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements only INTEGER keys
When = sa.DateTime(timezone=True)


def upgrade():
    op.create_table('usage_record',
    sa.Column('id', BigId, nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('quantity', sa.Numeric(18, 4), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('received_at', When, nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['allocation_id'], ['resource_allocation.id'],
                            name=op.f('fk_usage_record_allocation_id_resource_allocation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_usage_record_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_record')),
    # The key that makes ingestion idempotent: a re-sent day replaces its row.
    sa.UniqueConstraint('allocation_id', 'item_code', 'day', name=op.f('uq_usage_record_allocation_id_item_code_day'))
    )
    op.create_index(op.f('ix_usage_record_tenant_id'), 'usage_record', ['tenant_id'], unique=False)
    op.create_index('ix_usage_record_tenant_day', 'usage_record', ['tenant_id', 'day'], unique=False)


def downgrade():
    op.drop_index('ix_usage_record_tenant_day', table_name='usage_record')
    op.drop_index(op.f('ix_usage_record_tenant_id'), table_name='usage_record')
    op.drop_table('usage_record')
