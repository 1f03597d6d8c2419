"""The schema comes from `flask db upgrade` on both databases, and matches the models."""
from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db


@pytest.fixture()
def fresh_database_url(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    name = f"yg_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(base).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_builds_the_schema_the_models_describe(fresh_database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": fresh_database_url,
                      "SECRET_KEY": "migration-test-secret-key"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), db.metadata)
            tenants = conn.execute(text("SELECT count(*) FROM tenant")).scalar()
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    # Test-only tables (declared in tests) are not part of the product schema.
    def test_only(item) -> bool:
        obj = item[1]
        table = getattr(obj, "table", obj)
        return getattr(table, "name", "").startswith("test_")

    diff = [d for d in diff if not test_only(d)]
    assert diff == [], f"models and migrations disagree: {diff}"
    assert {"tenant", "organisation", "user_account", "api_token"} <= tables
    assert tenants == 17  # 16 districts + city
