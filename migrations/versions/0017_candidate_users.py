"""task candidates name people too: "user:" + a username (64) needs a wider key

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-23 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('task_candidate', schema=None) as batch_op:
        batch_op.alter_column('group_name', existing_type=sa.String(length=64), type_=sa.String(length=80),
                              existing_nullable=False)
    # Open tasks offered to named people get their candidate rows (before, they were in no inbox list).
    bind = op.get_bind()
    tasks = bind.execute(sa.text("SELECT id, tenant_id, due_at, candidate_users FROM human_task "
                                 "WHERE status = 'open'")).all()
    import json
    rows = []
    for task_id, tenant_id, due_at, users in tasks:
        users = json.loads(users) if isinstance(users, str) else (users or [])
        rows += [{"task_id": task_id, "group_name": f"user:{u}", "tenant_id": tenant_id, "due_at": due_at}
                 for u in dict.fromkeys(users)]
    if rows:
        bind.execute(sa.text("INSERT INTO task_candidate (task_id, group_name, tenant_id, is_open, due_at) "
                             "VALUES (:task_id, :group_name, :tenant_id, true, :due_at)"), rows)


def downgrade():
    op.execute("DELETE FROM task_candidate WHERE group_name LIKE 'user:%'")
    with op.batch_alter_table('task_candidate', schema=None) as batch_op:
        batch_op.alter_column('group_name', existing_type=sa.String(length=80), type_=sa.String(length=64),
                              existing_nullable=False)
