"""vendor changes, go-live security, incidents and drills (M.28, M.30, M.31)

This branch: vendor change proposals and violations (M.28), security incidents and drills (M.31).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('security_drill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=48), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('scenario', sa.Text(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('participants', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('started_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('executed_on', sa.Date(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('attachment_ids', sa.JSON(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_security_drill_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_drill')),
    sa.UniqueConstraint('number', name=op.f('uq_security_drill_number'))
    )
    with op.batch_alter_table('security_drill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_drill_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('security_drill_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drill_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['drill_id'], ['security_drill.id'], name=op.f('fk_security_drill_finding_drill_id_security_drill'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_security_drill_finding_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_drill_finding'))
    )
    with op.batch_alter_table('security_drill_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_drill_finding_drill_id'), ['drill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_drill_finding_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('security_incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('severity', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reporter_org_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('vendor_id', sa.Integer(), nullable=True),
    sa.Column('attachment_ids', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reported_by', sa.String(length=64), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('contain_due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('contained_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('containment_note', sa.Text(), nullable=False),
    sa.Column('report_due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('report_summary', sa.Text(), nullable=False),
    sa.Column('report_attachment_ids', sa.JSON(), nullable=False),
    sa.Column('reported_to', sa.JSON(), nullable=False),
    sa.Column('report_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalation', sa.String(length=200), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['reporter_org_id'], ['organisation.id'], name=op.f('fk_security_incident_reporter_org_id_organisation')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_security_incident_tenant_id_tenant')),
    sa.ForeignKeyConstraint(['unit_id'], ['organisation.id'], name=op.f('fk_security_incident_unit_id_organisation')),
    sa.ForeignKeyConstraint(['vendor_id'], ['organisation.id'], name=op.f('fk_security_incident_vendor_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_incident')),
    sa.UniqueConstraint('number', name=op.f('uq_security_incident_number'))
    )
    with op.batch_alter_table('security_incident', schema=None) as batch_op:
        batch_op.create_index('ix_security_incident_status', ['status', 'severity'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_incident_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_incident_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('vendor_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('affected_systems', sa.Text(), nullable=False),
    sa.Column('affected_districts', sa.JSON(), nullable=False),
    sa.Column('impact', sa.Text(), nullable=False),
    sa.Column('rollback_plan', sa.Text(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('window_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('major', sa.Boolean(), nullable=False),
    sa.Column('attachment_ids', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('submitted_by', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('evaluator', sa.String(length=200), nullable=False),
    sa.Column('evaluation_conclusion', sa.Text(), nullable=False),
    sa.Column('evaluation_attachment_ids', sa.JSON(), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('rollback_used', sa.Boolean(), nullable=True),
    sa.Column('completion_note', sa.Text(), nullable=False),
    sa.Column('completion_attachment_ids', sa.JSON(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_vendor_change_tenant_id_tenant')),
    sa.ForeignKeyConstraint(['vendor_id'], ['organisation.id'], name=op.f('fk_vendor_change_vendor_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor_change')),
    sa.UniqueConstraint('number', name=op.f('uq_vendor_change_number'))
    )
    with op.batch_alter_table('vendor_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vendor_change_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_vendor_change_vendor', ['vendor_id', 'status'], unique=False)

    op.create_table('vendor_change_violation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('change_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status_then', sa.String(length=20), nullable=False),
    sa.Column('carried_out_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['change_id'], ['vendor_change.id'], name=op.f('fk_vendor_change_violation_change_id_vendor_change')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_vendor_change_violation_tenant_id_tenant')),
    sa.ForeignKeyConstraint(['vendor_id'], ['organisation.id'], name=op.f('fk_vendor_change_violation_vendor_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor_change_violation'))
    )
    with op.batch_alter_table('vendor_change_violation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vendor_change_violation_change_id'), ['change_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vendor_change_violation_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_vendor_change_violation_vendor', ['vendor_id', 'carried_out_at'], unique=False)



def downgrade():
    with op.batch_alter_table('vendor_change_violation', schema=None) as batch_op:
        batch_op.drop_index('ix_vendor_change_violation_vendor')
        batch_op.drop_index(batch_op.f('ix_vendor_change_violation_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_vendor_change_violation_change_id'))

    op.drop_table('vendor_change_violation')
    with op.batch_alter_table('vendor_change', schema=None) as batch_op:
        batch_op.drop_index('ix_vendor_change_vendor')
        batch_op.drop_index(batch_op.f('ix_vendor_change_tenant_id'))

    op.drop_table('vendor_change')
    with op.batch_alter_table('security_incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_incident_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_security_incident_tenant_id'))
        batch_op.drop_index('ix_security_incident_status')

    op.drop_table('security_incident')
    with op.batch_alter_table('security_drill_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_drill_finding_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_security_drill_finding_drill_id'))

    op.drop_table('security_drill_finding')
    with op.batch_alter_table('security_drill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_drill_tenant_id'))

    op.drop_table('security_drill')
