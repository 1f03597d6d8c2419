"""admin: no schema change (a deliberately empty revision that keeps the chain 0005 → 0006 → 0007)

The admin pages and operations read and write the engine's existing tables (process_instance,
human_task, workflow_timer, workflow_incident, audit_event) and the scheduler's job_run; they need
no column or table of their own.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 18:00:00.000000

"""

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
