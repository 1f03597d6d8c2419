"""resources: service catalogue versions, projects and quotas, applications, allocations and their history

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements only INTEGER keys
Money = sa.Numeric(18, 4)
When = sa.DateTime(timezone=True)


def _tenant(table):
    return (sa.Column('tenant_id', sa.String(length=32), nullable=False),
            sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f(f'fk_{table}_tenant_id_tenant')))


def _tenant_index(table):
    op.create_index(op.f(f'ix_{table}_tenant_id'), table, ['tenant_id'], unique=False)


def upgrade():
    # -- the service catalogue (M.15, M.16) --------------------------------------------------------
    op.create_table('catalog_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('based_on_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('proposed_by', sa.String(length=64), nullable=False),
    sa.Column('proposed_at', When, nullable=False),
    sa.Column('approved_at', When, nullable=True),
    sa.Column('instance_id', BigId, nullable=True),
    *_tenant('catalog_version'),
    sa.ForeignKeyConstraint(['based_on_id'], ['catalog_version.id'],
                            name=op.f('fk_catalog_version_based_on_id_catalog_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_version')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_catalog_version_tenant_id_number'))
    )
    _tenant_index('catalog_version')
    op.create_index('ix_catalog_version_in_force', 'catalog_version', ['tenant_id', 'status', 'effective_from'],
                    unique=False)

    op.create_table('catalog_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('layer', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('pricing_unit', sa.String(length=40), nullable=False),
    sa.Column('unit_price', Money, nullable=False),
    sa.Column('pricing_type', sa.String(length=16), nullable=False),
    sa.Column('tier_mode', sa.String(length=16), nullable=True),
    sa.Column('sort', sa.Integer(), nullable=False),
    *_tenant('catalog_item'),
    sa.ForeignKeyConstraint(['version_id'], ['catalog_version.id'],
                            name=op.f('fk_catalog_item_version_id_catalog_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_item')),
    sa.UniqueConstraint('version_id', 'code', name=op.f('uq_catalog_item_version_id_code'))
    )
    _tenant_index('catalog_item')
    op.create_index(op.f('ix_catalog_item_version_id'), 'catalog_item', ['version_id'], unique=False)

    op.create_table('catalog_tier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('lower_bound', sa.Numeric(18, 4), nullable=False),
    sa.Column('unit_price', Money, nullable=False),
    *_tenant('catalog_tier'),
    sa.ForeignKeyConstraint(['item_id'], ['catalog_item.id'], name=op.f('fk_catalog_tier_item_id_catalog_item'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_tier')),
    sa.UniqueConstraint('item_id', 'lower_bound', name=op.f('uq_catalog_tier_item_id_lower_bound'))
    )
    _tenant_index('catalog_tier')
    op.create_index(op.f('ix_catalog_tier_item_id'), 'catalog_tier', ['item_id'], unique=False)

    # -- projects and quotas (M.18) -------------------------------------------------------------------
    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('mlps_level', sa.Integer(), nullable=False),
    sa.Column('periodic_load', sa.Text(), nullable=False),
    sa.Column('key_work', sa.Boolean(), nullable=False),
    sa.Column('special_meeting', sa.String(length=200), nullable=False),
    sa.Column('applied_by', sa.String(length=64), nullable=False),
    sa.Column('applied_at', When, nullable=False),
    sa.Column('approved_at', When, nullable=True),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('notified_at', When, nullable=True),
    *_tenant('project'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                            name=op.f('fk_project_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project')),
    sa.UniqueConstraint('code', name=op.f('uq_project_code'))
    )
    _tenant_index('project')
    op.create_index(op.f('ix_project_organisation_id'), 'project', ['organisation_id'], unique=False)

    op.create_table('project_quota',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=40), nullable=False),
    sa.Column('item_name', sa.String(length=200), nullable=False),
    sa.Column('pricing_unit', sa.String(length=40), nullable=False),
    sa.Column('quantity', sa.Numeric(18, 4), nullable=False),
    sa.Column('peak_quantity', sa.Numeric(18, 4), nullable=True),
    *_tenant('project_quota'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_quota_project_id_project'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_quota')),
    sa.UniqueConstraint('project_id', 'item_code', name=op.f('uq_project_quota_project_id_item_code'))
    )
    _tenant_index('project_quota')
    op.create_index(op.f('ix_project_quota_project_id'), 'project_quota', ['project_id'], unique=False)

    # -- applications, allocations, history (M.19–M.26) -------------------------------------------------
    op.create_table('resource_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('over_quota', sa.Boolean(), nullable=False),
    sa.Column('requested_expiry', sa.Date(), nullable=True),
    sa.Column('basis', sa.String(length=200), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', When, nullable=False),
    sa.Column('decided_at', When, nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('escalated_at', When, nullable=True),
    sa.Column('escalation', sa.String(length=200), nullable=False),
    sa.Column('instance_id', BigId, nullable=True),
    *_tenant('resource_application'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_resource_application_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_application')),
    sa.UniqueConstraint('number', name=op.f('uq_resource_application_number'))
    )
    _tenant_index('resource_application')
    op.create_index(op.f('ix_resource_application_project_id'), 'resource_application', ['project_id'], unique=False)
    op.create_index('ix_resource_application_status', 'resource_application', ['status', 'kind'], unique=False)

    op.create_table('resource_allocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('catalog_item_id', sa.Integer(), nullable=True),
    sa.Column('item_code', sa.String(length=40), nullable=False),
    sa.Column('item_name', sa.String(length=200), nullable=False),
    sa.Column('pricing_unit', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.Numeric(18, 4), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('external_access', sa.Boolean(), nullable=False),
    sa.Column('created_at', When, nullable=False),
    sa.Column('updated_at', When, nullable=False),
    *_tenant('resource_allocation'),
    sa.ForeignKeyConstraint(['application_id'], ['resource_application.id'],
                            name=op.f('fk_resource_allocation_application_id_resource_application')),
    sa.ForeignKeyConstraint(['catalog_item_id'], ['catalog_item.id'],
                            name=op.f('fk_resource_allocation_catalog_item_id_catalog_item')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_resource_allocation_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_allocation')),
    sa.UniqueConstraint('number', name=op.f('uq_resource_allocation_number'))
    )
    _tenant_index('resource_allocation')
    op.create_index('ix_resource_allocation_project', 'resource_allocation', ['project_id', 'state'], unique=False)

    op.create_table('resource_application_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=40), nullable=False),
    sa.Column('item_name', sa.String(length=200), nullable=False),
    sa.Column('pricing_unit', sa.String(length=40), nullable=False),
    sa.Column('catalog_item_id', sa.Integer(), nullable=True),
    sa.Column('allocation_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Numeric(18, 4), nullable=False),
    sa.Column('approved_quantity', sa.Numeric(18, 4), nullable=True),
    *_tenant('resource_application_line'),
    sa.ForeignKeyConstraint(['allocation_id'], ['resource_allocation.id'],
                            name=op.f('fk_resource_application_line_allocation_id_resource_allocation')),
    sa.ForeignKeyConstraint(['application_id'], ['resource_application.id'],
                            name=op.f('fk_resource_application_line_application_id_resource_application'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['catalog_item_id'], ['catalog_item.id'],
                            name=op.f('fk_resource_application_line_catalog_item_id_catalog_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_application_line'))
    )
    _tenant_index('resource_application_line')
    op.create_index(op.f('ix_resource_application_line_application_id'), 'resource_application_line',
                    ['application_id'], unique=False)

    op.create_table('resource_event',
    sa.Column('id', BigId, nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('at', When, nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('state_after', sa.String(length=16), nullable=True),
    sa.Column('quantity_before', sa.Numeric(18, 4), nullable=True),
    sa.Column('quantity_after', sa.Numeric(18, 4), nullable=True),
    sa.Column('expires_before', sa.Date(), nullable=True),
    sa.Column('expires_after', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    *_tenant('resource_event'),
    sa.ForeignKeyConstraint(['allocation_id'], ['resource_allocation.id'],
                            name=op.f('fk_resource_event_allocation_id_resource_allocation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['application_id'], ['resource_application.id'],
                            name=op.f('fk_resource_event_application_id_resource_application'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_event'))
    )
    _tenant_index('resource_event')
    op.create_index('ix_resource_event_allocation', 'resource_event', ['allocation_id', 'at'], unique=False)
    op.create_index('ix_resource_event_application', 'resource_event', ['application_id', 'at'], unique=False)


def downgrade():
    for table in ('resource_event', 'resource_application_line', 'resource_allocation', 'resource_application',
                  'project_quota', 'project', 'catalog_tier', 'catalog_item', 'catalog_version'):
        op.drop_table(table)  # their indexes go with them
