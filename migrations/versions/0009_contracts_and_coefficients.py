"""contracts (P.4(4), locked prices) and published efficiency coefficients (M.27, M.33)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 18:24:34.481283

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contract',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('solicitation_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('signed_by', sa.String(length=64), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_contract_tenant_id_tenant')),
    sa.ForeignKeyConstraint(['vendor_id'], ['organisation.id'], name=op.f('fk_contract_vendor_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract')),
    sa.UniqueConstraint('number', name=op.f('uq_contract_number'))
    )
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.create_index('ix_contract_in_force', ['tenant_id', 'starts_on', 'ends_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('efficiency_coefficient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('applies_from', sa.Date(), nullable=False),
    sa.Column('applies_to', sa.Date(), nullable=False),
    sa.Column('coefficient', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.Column('published_by', sa.String(length=64), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_efficiency_coefficient_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_efficiency_coefficient_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_efficiency_coefficient')),
    sa.UniqueConstraint('organisation_id', 'applies_from', name=op.f('uq_efficiency_coefficient_organisation_id_applies_from'))
    )
    with op.batch_alter_table('efficiency_coefficient', schema=None) as batch_op:
        batch_op.create_index('ix_efficiency_coefficient_in_force', ['organisation_id', 'applies_from', 'applies_to'], unique=False)
        batch_op.create_index(batch_op.f('ix_efficiency_coefficient_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('contract_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=40), nullable=False),
    sa.Column('item_name', sa.String(length=200), nullable=False),
    sa.Column('pricing_unit', sa.String(length=40), nullable=False),
    sa.Column('pricing_type', sa.String(length=16), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('service_standard', sa.Text(), nullable=False),
    sa.Column('licence_expires_on', sa.Date(), nullable=True),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_contract_item_contract_id_contract'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_contract_item_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_item'))
    )
    with op.batch_alter_table('contract_item', schema=None) as batch_op:
        batch_op.create_index('ix_contract_item_code', ['tenant_id', 'item_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_item_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_item_tenant_id'), ['tenant_id'], unique=False)



def downgrade():
    with op.batch_alter_table('contract_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_item_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_contract_item_contract_id'))
        batch_op.drop_index('ix_contract_item_code')

    op.drop_table('contract_item')
    with op.batch_alter_table('efficiency_coefficient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_efficiency_coefficient_tenant_id'))
        batch_op.drop_index('ix_efficiency_coefficient_in_force')

    op.drop_table('efficiency_coefficient')
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_contract_tenant_id'))
        batch_op.drop_index('ix_contract_in_force')

    op.drop_table('contract')
