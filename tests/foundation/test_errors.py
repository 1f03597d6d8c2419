from flask import Blueprint
from sqlalchemy import select

from app import create_app
from app.accounts.models import ApiToken, Organisation
from app.extensions import db as _db
from tests import builders
from tests.foundation.test_tokens import assert_error_shape


def test_unknown_api_path_404_in_contract_shape(client, auth, db):
    builders.user("u1")
    assert_error_shape(client.get("/api/v1/nothing-here", headers=auth.headers("u1")), 404, "not_found")


def test_wrong_method_405_in_contract_shape(client, auth, db):
    builders.user("u2")
    assert_error_shape(client.put("/api/v1/auth/me", headers=auth.headers("u2")), 405, "method_not_allowed")


def test_malformed_json_is_400_and_creates_nothing(client, db):
    builders.user("u3")
    response = client.post("/api/v1/auth/tokens", data="{not json", content_type="application/json")
    assert_error_shape(response, 400)
    assert db.session.scalar(select(ApiToken)) is None


def test_wrong_types_are_422_with_field_reasons(client, db):
    builders.user("u4")
    response = client.post("/api/v1/auth/tokens", json={"username": "u4", "password": builders.PASSWORD,
                                                        "days": "forever"})
    error = assert_error_shape(response, 422, "validation_failed")
    assert "days" in error["fields"]
    assert db.session.scalar(select(ApiToken)) is None


def test_unknown_fields_are_422(client, db):
    builders.user("u5")
    response = client.post("/api/v1/auth/tokens", json={"username": "u5", "password": builders.PASSWORD,
                                                        "admin": True})
    error = assert_error_shape(response, 422)
    assert error["fields"] == {"admin": ["Unknown field."]}


def test_missing_required_field_is_422(client, db):
    error = assert_error_shape(client.post("/api/v1/auth/tokens", json={"username": "x"}), 422)
    assert "password" in error["fields"]


def test_oversized_body_is_413(client, db, app):
    builders.user("u6")
    big = {"username": "u6", "password": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)}
    assert_error_shape(client.post("/api/v1/auth/tokens", json=big), 413, "payload_too_large")
    assert db.session.scalar(select(ApiToken)) is None


def test_500_rolls_back_and_answers_in_shape(app, db):
    # A separate app with a throwaway route that writes then fails: the write must not survive.
    fresh = create_app({k: app.config[k] for k in ("TESTING", "DATABASE_URL", "SECRET_KEY")})
    bp = Blueprint("boom", __name__)

    @bp.get("/api/v1/test-boom")
    def boom():
        _db.session.add(Organisation(code="half-written", name="x", kind="vendor", tenant_id="city"))
        _db.session.flush()
        raise RuntimeError("kaboom")

    fresh.register_blueprint(bp)
    builders.user("u7")
    local = fresh.test_client()
    token = local.post("/api/v1/auth/tokens", json={"username": "u7", "password": builders.PASSWORD}).get_json()
    response = local.get("/api/v1/test-boom", headers={"Authorization": f"Bearer {token['token']}"})
    error = assert_error_shape(response, 500, "internal_error")
    assert "kaboom" not in error["message"]
    assert db.session.scalar(select(Organisation).where(Organisation.code == "half-written")) is None


def test_html_error_page_for_ui(client, db):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "404" in response.get_data(as_text=True)
