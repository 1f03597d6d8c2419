"""settlement statements, their lines and DR funding marks (M.27, P.4 settlement types, P.5)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('settlement_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=48), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('vendor_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('total', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('district_funded', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('city_funded', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('drafted_by', sa.String(length=64), nullable=False),
    sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by', sa.String(length=64), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['corrects_id'], ['settlement_statement.id'], name=op.f('fk_settlement_statement_corrects_id_settlement_statement')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_settlement_statement_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_settlement_statement_tenant_id_tenant')),
    sa.ForeignKeyConstraint(['vendor_id'], ['organisation.id'], name=op.f('fk_settlement_statement_vendor_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_statement')),
    sa.UniqueConstraint('number', name=op.f('uq_settlement_statement_number'))
    )
    with op.batch_alter_table('settlement_statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_statement_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_settlement_statement_period', ['tenant_id', 'period_start', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_statement_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_statement_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('settlement_line',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=40), nullable=False),
    sa.Column('item_name', sa.String(length=200), nullable=False),
    sa.Column('pricing_unit', sa.String(length=40), nullable=False),
    sa.Column('pricing_type', sa.String(length=16), nullable=False),
    sa.Column('price_source', sa.String(length=16), nullable=False),
    sa.Column('source_ref', sa.String(length=64), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('catalog_version_id', sa.Integer(), nullable=True),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=20, scale=4), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('coefficient', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('dr_funding', sa.String(length=16), nullable=True),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['settlement_statement.id'], name=op.f('fk_settlement_line_statement_id_settlement_statement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_settlement_line_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_line'))
    )
    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_line_statement_id'), ['statement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_line_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('settlement_dr_funding',
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('funding', sa.String(length=16), nullable=False),
    sa.Column('marked_by', sa.String(length=64), nullable=False),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['allocation_id'], ['resource_allocation.id'], name=op.f('fk_settlement_dr_funding_allocation_id_resource_allocation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_settlement_dr_funding_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('allocation_id', name=op.f('pk_settlement_dr_funding'))
    )
    with op.batch_alter_table('settlement_dr_funding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_dr_funding_tenant_id'), ['tenant_id'], unique=False)



def downgrade():
    with op.batch_alter_table('settlement_dr_funding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_dr_funding_tenant_id'))

    op.drop_table('settlement_dr_funding')
    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_line_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_settlement_line_statement_id'))

    op.drop_table('settlement_line')
    with op.batch_alter_table('settlement_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_statement_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_settlement_statement_tenant_id'))
        batch_op.drop_index('ix_settlement_statement_period')
        batch_op.drop_index(batch_op.f('ix_settlement_statement_organisation_id'))

    op.drop_table('settlement_statement')
