"""utilisation samples, rollups, idle/zombie rules and findings (M.13, M.25)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('detection_rule',
    sa.Column('key', sa.String(length=16), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('window_days', sa.Integer(), nullable=False),
    sa.Column('min_days', sa.Integer(), nullable=False),
    sa.Column('cpu_max_pct', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('network_max_mb', sa.Numeric(precision=18, scale=3), nullable=True),
    sa.Column('business_max', sa.Integer(), nullable=False),
    sa.Column('rectify_workdays', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_detection_rule'))
    )
    op.create_table('utilisation_daily',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('samples', sa.Integer(), nullable=False),
    sa.Column('cpu_avg', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('cpu_max', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('memory_avg', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('disk_io_mb', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('network_io_mb', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('requests', sa.BigInteger(), nullable=False),
    sa.Column('logins', sa.BigInteger(), nullable=False),
    sa.Column('api_calls', sa.BigInteger(), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_utilisation_daily_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_utilisation_daily_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_utilisation_daily')),
    sa.UniqueConstraint('project_id', 'day', name=op.f('uq_utilisation_daily_project_id_day'))
    )
    with op.batch_alter_table('utilisation_daily', schema=None) as batch_op:
        batch_op.create_index('ix_utilisation_daily_day', ['day', 'project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_utilisation_daily_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('utilisation_sample',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('cpu_pct', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('memory_pct', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('disk_io_mb', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('network_io_mb', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('requests', sa.BigInteger(), nullable=False),
    sa.Column('logins', sa.BigInteger(), nullable=False),
    sa.Column('api_calls', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_utilisation_sample_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_utilisation_sample_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_utilisation_sample')),
    sa.UniqueConstraint('project_id', 'at', name=op.f('uq_utilisation_sample_project_id_at'))
    )
    with op.batch_alter_table('utilisation_sample', schema=None) as batch_op:
        batch_op.create_index('ix_utilisation_sample_day', ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_utilisation_sample_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('idle_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('rule_key', sa.String(length=16), nullable=False),
    sa.Column('open_key', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('detected_on', sa.Date(), nullable=False),
    sa.Column('window_start', sa.Date(), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.Column('days_with_data', sa.Integer(), nullable=False),
    sa.Column('days_matched', sa.Integer(), nullable=False),
    sa.Column('cpu_avg', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('cpu_peak', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('network_mb_avg', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('business_total', sa.BigInteger(), nullable=False),
    sa.Column('last_change_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('thresholds', sa.JSON(), nullable=False),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('warned_on', sa.Date(), nullable=True),
    sa.Column('rectify_due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('response', sa.String(length=16), nullable=False),
    sa.Column('response_note', sa.Text(), nullable=False),
    sa.Column('check_figures', sa.JSON(), nullable=False),
    sa.Column('reclaim_application_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_idle_finding_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reclaim_application_id'], ['resource_application.id'], name=op.f('fk_idle_finding_reclaim_application_id_resource_application')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_idle_finding_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idle_finding')),
    sa.UniqueConstraint('project_id', 'open_key', name=op.f('uq_idle_finding_project_id_open_key'))
    )
    with op.batch_alter_table('idle_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idle_finding_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_idle_finding_status', ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_idle_finding_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('idle_finding_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('status_after', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['idle_finding.id'], name=op.f('fk_idle_finding_event_finding_id_idle_finding'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_idle_finding_event_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idle_finding_event'))
    )
    with op.batch_alter_table('idle_finding_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idle_finding_event_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idle_finding_event_tenant_id'), ['tenant_id'], unique=False)


def downgrade():
    with op.batch_alter_table('idle_finding_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idle_finding_event_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_idle_finding_event_finding_id'))

    op.drop_table('idle_finding_event')
    with op.batch_alter_table('idle_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idle_finding_tenant_id'))
        batch_op.drop_index('ix_idle_finding_status')
        batch_op.drop_index(batch_op.f('ix_idle_finding_project_id'))

    op.drop_table('idle_finding')
    with op.batch_alter_table('utilisation_sample', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_utilisation_sample_tenant_id'))
        batch_op.drop_index('ix_utilisation_sample_day')

    op.drop_table('utilisation_sample')
    with op.batch_alter_table('utilisation_daily', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_utilisation_daily_tenant_id'))
        batch_op.drop_index('ix_utilisation_daily_day')

    op.drop_table('utilisation_daily')
    op.drop_table('detection_rule')
