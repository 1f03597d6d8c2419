"""Fixtures shared by every test: app (SQLite file or TEST_DATABASE_URL), db, client, runner, auth.

Isolation: each test starts from empty tables (the tenants re-seeded). Engine steps commit
for real, so rolled-back transactions would not isolate them; truncation does, on both databases.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app
from app.accounts import service as accounts_service
from app.calendar import service as calendar_service
from app.extensions import db as _db
from app.workflow import steps
from tests import builders

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SCHEDULER_ENABLED": False,
        # Assertions read English messages; tests of the Chinese default build their own app.
        "DEFAULT_LOCALE": "en",
    })
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            # Start from an empty schema: tables left by other runs (or test-only models) go too.
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _truncate() -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture()
def db(app):
    with app.app_context():
        accounts_service.ensure_tenants(_db.session)
        _db.session.commit()
        yield _db
        _db.session.rollback()
        _truncate()
        _db.session.remove()
        # Truncation restarts ids: caches keyed by id must not carry one test's rows into the next.
        steps._definitions.clear()
        calendar_service.invalidate()


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def runner(app, db):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


class AuthActions:
    """Log in through the real login page (with its CSRF token), or get an API token."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = builders.PASSWORD):
        page = self.client.get("/login")
        return self.client.post("/login", data={
            "username": username, "password": password, "csrf_token": csrf_from(page.get_data(as_text=True)),
        })

    def csrf(self) -> str:
        return csrf_from(self.client.get("/login").get_data(as_text=True))

    def logout(self):
        token = csrf_from(self.client.get("/").get_data(as_text=True))
        return self.client.post("/logout", data={"csrf_token": token})

    def token(self, username: str, password: str = builders.PASSWORD) -> str:
        response = self.client.post("/api/v1/auth/tokens", json={"username": username, "password": password})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["token"]

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}


@pytest.fixture()
def auth(client):
    return AuthActions(client)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(__file__).parent / "artifacts"
    path.mkdir(exist_ok=True)
    return path
