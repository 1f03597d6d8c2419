"""scheduler: periodic job runs (the running record is the job's lock)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_run',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('job', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run'))
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index('ix_job_run_job_started', ['job', 'started_at'], unique=False)
        # At most one running record per job: the lock that keeps a job from running twice at once.
        batch_op.create_index('uq_job_run_running', ['job'], unique=True,
                              postgresql_where=sa.text("status = 'running'"),
                              sqlite_where=sa.text("status = 'running'"))


def downgrade():
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index('uq_job_run_running', postgresql_where=sa.text("status = 'running'"),
                            sqlite_where=sa.text("status = 'running'"))
        batch_op.drop_index('ix_job_run_job_started')
    op.drop_table('job_run')
