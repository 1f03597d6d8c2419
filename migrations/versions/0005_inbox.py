"""inbox: absences with substitutes, notifications, task-level notice marks, inbox indexes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements only INTEGER keys


def upgrade():
    op.create_table('inbox_absence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('substitute', sa.String(length=64), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_inbox_absence_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_absence'))
    )
    op.create_index('ix_inbox_absence_substitute', 'inbox_absence', ['substitute', 'ends_at'], unique=False)
    op.create_index('ix_inbox_absence_user', 'inbox_absence', ['username', 'ends_at'], unique=False)
    op.create_index(op.f('ix_inbox_absence_tenant_id'), 'inbox_absence', ['tenant_id'], unique=False)

    op.create_table('inbox_notification',
    sa.Column('id', BigId, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('task_name', sa.String(length=200), nullable=False),
    sa.Column('process_key', sa.String(length=100), nullable=False),
    sa.Column('business_key', sa.String(length=200), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('on_behalf_of', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('fk_inbox_notification_task_id_human_task'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.code'], name=op.f('fk_inbox_notification_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_notification')),
    sa.UniqueConstraint('username', 'task_id', 'kind', name=op.f('uq_inbox_notification_username_task_id_kind'))
    )
    op.create_index('ix_inbox_notification_task_kind', 'inbox_notification', ['task_id', 'kind'], unique=False)
    op.create_index('ix_inbox_notification_user_unread', 'inbox_notification', ['username', 'read_at', 'created_at'],
                    unique=False)
    op.create_index(op.f('ix_inbox_notification_tenant_id'), 'inbox_notification', ['tenant_id'], unique=False)

    op.create_table('inbox_task_notice',
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('fk_inbox_task_notice_task_id_human_task'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'kind', name=op.f('pk_inbox_task_notice'))
    )

    # The group inbox from small partial, covering indexes on the engine's derived tables
    # (declared in app/inbox/models.py; see bench/inbox.py).
    unclaimed = sa.text("status = 'open' AND assignee IS NULL")
    op.create_index('ix_inbox_task_unclaimed_tenant_due', 'human_task', ['tenant_id', 'due_at', 'id'], unique=False,
                    postgresql_where=unclaimed, sqlite_where=unclaimed)
    op.create_index('ix_inbox_task_unclaimed_due', 'human_task', ['due_at', 'id'], unique=False,
                    postgresql_where=unclaimed, sqlite_where=unclaimed)
    op.create_index('ix_inbox_task_unclaimed_id', 'human_task', ['id'], unique=False,
                    postgresql_where=unclaimed, sqlite_where=unclaimed)
    op.create_index('ix_inbox_candidate_group_task', 'task_candidate', ['group_name', 'task_id'], unique=False,
                    postgresql_include=['tenant_id'], postgresql_where=sa.text('is_open'),
                    sqlite_where=sa.text('is_open'))
    op.create_index('ix_inbox_candidate_open', 'task_candidate', ['group_name', 'tenant_id', 'due_at', 'task_id'],
                    unique=False, postgresql_where=sa.text('is_open'), sqlite_where=sa.text('is_open'))
    done = sa.text("status = 'completed'")
    op.create_index('ix_inbox_task_done_by', 'human_task', ['completed_by', 'completed_at'], unique=False,
                    postgresql_where=done, sqlite_where=done)


def downgrade():
    op.drop_index('ix_inbox_task_done_by', table_name='human_task')
    op.drop_index('ix_inbox_candidate_open', table_name='task_candidate')
    op.drop_index('ix_inbox_candidate_group_task', table_name='task_candidate')
    op.drop_index('ix_inbox_task_unclaimed_id', table_name='human_task')
    op.drop_index('ix_inbox_task_unclaimed_due', table_name='human_task')
    op.drop_index('ix_inbox_task_unclaimed_tenant_due', table_name='human_task')
    op.drop_table('inbox_task_notice')
    op.drop_index(op.f('ix_inbox_notification_tenant_id'), table_name='inbox_notification')
    op.drop_index('ix_inbox_notification_user_unread', table_name='inbox_notification')
    op.drop_index('ix_inbox_notification_task_kind', table_name='inbox_notification')
    op.drop_table('inbox_notification')
    op.drop_index(op.f('ix_inbox_absence_tenant_id'), table_name='inbox_absence')
    op.drop_index('ix_inbox_absence_user', table_name='inbox_absence')
    op.drop_index('ix_inbox_absence_substitute', table_name='inbox_absence')
    op.drop_table('inbox_absence')
