"""attachments, outside applicants, dedicated domains and go-live security (M.7, M.11, M.30)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('storage_name', sa.String(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_attachment_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_attachment_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_attachment_storage_name'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_attachment_tenant_purpose', ['tenant_id', 'purpose'], unique=False)

    op.create_table('dedicated_domain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('plan_summary', sa.Text(), nullable=False),
    sa.Column('plan_attachment_ids', sa.JSON(), nullable=False),
    sa.Column('unit_duties', sa.Text(), nullable=False),
    sa.Column('bdc_duties', sa.Text(), nullable=False),
    sa.Column('vendor_duties', sa.Text(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.Column('authority_decision', sa.String(length=16), nullable=False),
    sa.Column('eitc_decision', sa.String(length=16), nullable=False),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_dedicated_domain_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_dedicated_domain_tenant_id_tenant')),
    sa.ForeignKeyConstraint(['vendor_id'], ['organisation.id'], name=op.f('fk_dedicated_domain_vendor_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dedicated_domain')),
    sa.UniqueConstraint('number', name=op.f('uq_dedicated_domain_number'))
    )
    with op.batch_alter_table('dedicated_domain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dedicated_domain_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dedicated_domain_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('outside_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('body_name', sa.String(length=200), nullable=False),
    sa.Column('body_code', sa.String(length=64), nullable=False),
    sa.Column('body_nature', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('attachment_ids', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_outside_application_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['organisation.id'], name=op.f('fk_outside_application_supervisor_id_organisation')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_outside_application_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outside_application')),
    sa.UniqueConstraint('number', name=op.f('uq_outside_application_number'))
    )
    with op.batch_alter_table('outside_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outside_application_supervisor_id'), ['supervisor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outside_application_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('golive_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('commitment_text', sa.Text(), nullable=False),
    sa.Column('commitment_sha256', sa.String(length=64), nullable=False),
    sa.Column('signed_by', sa.String(length=64), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_golive_check_project_id_project')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_golive_check_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_golive_check')),
    sa.UniqueConstraint('number', name=op.f('uq_golive_check_number'))
    )
    with op.batch_alter_table('golive_check', schema=None) as batch_op:
        batch_op.create_index('ix_golive_check_project', ['project_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_golive_check_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('golive_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=24), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('attachment_ids', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('done_by', sa.String(length=64), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['check_id'], ['golive_check.id'], name=op.f('fk_golive_step_check_id_golive_check'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_golive_step_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_golive_step'))
    )
    with op.batch_alter_table('golive_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_golive_step_check_id'), ['check_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_golive_step_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('dedicated_domain_placement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('domain_id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('placed_by', sa.String(length=64), nullable=False),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['allocation_id'], ['resource_allocation.id'], name=op.f('fk_dedicated_domain_placement_allocation_id_resource_allocation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['domain_id'], ['dedicated_domain.id'], name=op.f('fk_dedicated_domain_placement_domain_id_dedicated_domain'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_dedicated_domain_placement_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dedicated_domain_placement')),
    sa.UniqueConstraint('allocation_id', name=op.f('uq_dedicated_domain_placement_allocation_id'))
    )
    with op.batch_alter_table('dedicated_domain_placement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dedicated_domain_placement_domain_id'), ['domain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dedicated_domain_placement_tenant_id'), ['tenant_id'], unique=False)



def downgrade():
    with op.batch_alter_table('dedicated_domain_placement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dedicated_domain_placement_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_dedicated_domain_placement_domain_id'))

    op.drop_table('dedicated_domain_placement')
    with op.batch_alter_table('golive_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_golive_step_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_golive_step_check_id'))

    op.drop_table('golive_step')
    with op.batch_alter_table('golive_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_golive_check_tenant_id'))
        batch_op.drop_index('ix_golive_check_project')

    op.drop_table('golive_check')
    with op.batch_alter_table('outside_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outside_application_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_outside_application_supervisor_id'))

    op.drop_table('outside_application')
    with op.batch_alter_table('dedicated_domain', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dedicated_domain_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_dedicated_domain_organisation_id'))

    op.drop_table('dedicated_domain')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index('ix_attachment_tenant_purpose')
        batch_op.drop_index(batch_op.f('ix_attachment_tenant_id'))

    op.drop_table('attachment')
