import re

from sqlalchemy import func, select

from app.accounts.models import Organisation, User
from app.demo import data


def test_demo_load_is_idempotent_and_users_can_log_in(runner, client, auth, db):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    users = db.session.scalar(select(func.count(User.id)))
    orgs = db.session.scalar(select(func.count(Organisation.id)))
    second = runner.invoke(args=["demo", "load"])
    assert "already loaded" in second.output
    assert db.session.scalar(select(func.count(User.id))) == users
    assert db.session.scalar(select(func.count(Organisation.id))) == orgs
    roles = {r.role for u in db.session.scalars(select(User)) for r in u.role_rows}
    assert roles == {"authority", "eitc", "bdc", "procurement", "district.authority", "district.operator",
                     "district.finance", "unit", "vendor", "process_owner", "admin"}
    tenants = {u.tenant_id for u in db.session.scalars(select(User)) if "district.operator" in u.roles}
    assert len(tenants) >= 3
    assert auth.login("huangpu.operator", data.DEMO_PASSWORD).status_code == 302


def test_chinese_by_default_english_on_switch(app, auth, db, runner):
    from app import create_app

    # The shared test app speaks English; the product's default is Chinese.
    default_app = create_app({k: app.config[k] for k in ("TESTING", "DATABASE_URL", "SECRET_KEY")})
    client = default_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page
    from tests.conftest import csrf_from

    client.post("/lang/en", data={"csrf_token": csrf_from(page), "next": "/login"})
    assert "Log in" in client.get("/login").get_data(as_text=True)


def test_openapi_document_and_local_docs_page(client, db):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    body = spec.get_json()
    assert body["openapi"].startswith("3.")
    assert "/api/v1/auth/tokens" in body["paths"]
    page = client.get("/api-docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    # every script and stylesheet is ours: no absolute or protocol-relative URL (a CDN)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
