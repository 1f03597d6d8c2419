from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import ApiToken
from app.extensions import utcnow
from tests import builders


def assert_error_shape(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_token_round_trip(client, auth, db):
    builders.user("ivy", roles="district.operator", tenant="pudong")
    response = client.post("/api/v1/auth/tokens", json={"username": "ivy", "password": builders.PASSWORD})
    assert response.status_code == 201
    token = response.get_json()["token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.get_json() == {"id": me.get_json()["id"], "username": "ivy", "display_name": "ivy",
                             "tenant": "pudong", "roles": ["district.operator"]}
    stored = db.session.scalar(select(ApiToken))
    assert token not in stored.token_hash and stored.prefix == token[:10]


def test_wrong_password_gets_401_in_contract_shape(client, db):
    builders.user("jack")
    response = client.post("/api/v1/auth/tokens", json={"username": "jack", "password": "bad-password"})
    assert_error_shape(response, 401, "bad_credentials")
    assert db.session.scalar(select(ApiToken)) is None


def test_no_or_bad_token_is_401(client, db):
    assert_error_shape(client.get("/api/v1/auth/me"), 401)
    assert_error_shape(client.get("/api/v1/auth/me", headers={"Authorization": "Bearer ygt_nonsense"}), 401)


def test_expired_token_refused(client, auth, db):
    builders.user("kate")
    headers = auth.headers("kate")
    token = db.session.scalar(select(ApiToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert_error_shape(client.get("/api/v1/auth/me", headers=headers), 401, "bad_token")


def test_revoked_token_refused(client, auth, db):
    builders.user("liam")
    headers = auth.headers("liam")
    listed = client.get("/api/v1/auth/tokens", headers=headers).get_json()
    assert len(listed) == 1 and "token" not in listed[0]
    assert client.delete(f"/api/v1/auth/tokens/{listed[0]['id']}", headers=headers).status_code == 200
    assert_error_shape(client.get("/api/v1/auth/me", headers=headers), 401)


def test_cannot_revoke_someone_elses_token(client, auth, db):
    builders.user("mia")
    builders.user("noah")
    mine = auth.headers("mia")
    theirs = auth.headers("noah")
    their_id = client.get("/api/v1/auth/tokens", headers=theirs).get_json()[0]["id"]
    assert_error_shape(client.delete(f"/api/v1/auth/tokens/{their_id}", headers=mine), 404)
    assert client.get("/api/v1/auth/me", headers=theirs).status_code == 200


def test_session_api_calls_need_csrf_header(client, auth, db):
    builders.user("olga")
    auth.login("olga")
    assert client.get("/api/v1/auth/me").status_code == 200
    listed = client.get("/api/v1/auth/tokens").get_json()
    assert listed == []
    headers = auth.headers("olga")
    token_id = client.get("/api/v1/auth/tokens", headers=headers).get_json()[0]["id"]
    # cookie-authenticated state change without the CSRF header is refused
    assert client.delete(f"/api/v1/auth/tokens/{token_id}").status_code == 400
    assert client.delete(f"/api/v1/auth/tokens/{token_id}", headers={"X-CSRFToken": auth.csrf()}).status_code == 200
