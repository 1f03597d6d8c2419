from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import utcnow
from tests import builders
from tests.conftest import csrf_from


def test_login_page_then_home_shows_user(client, auth, db):
    builders.user("alice", roles="unit", tenant="xuhui")
    assert client.get("/").status_code == 302  # not logged in: redirected to /login
    response = auth.login("alice")
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "徐汇区" in home.get_data(as_text=True)


def test_wrong_password_refused_and_error_beside_field(client, auth, db):
    builders.user("bob")
    response = auth.login("bob", "wrong-password")
    assert response.status_code == 401
    assert "field-error" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_post_without_csrf_token_is_refused(client, db):
    builders.user("carol")
    response = client.post("/login", data={"username": "carol", "password": builders.PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_logout_needs_csrf(client, auth, db):
    builders.user("dave")
    auth.login("dave")
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_lockout_after_repeated_failures(client, auth, db, app):
    builders.user("erin")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert auth.login("erin", "nope-nope").status_code == 401
    # the right password no longer works while locked
    response = auth.login("erin")
    assert response.status_code == 401
    assert client.get("/").status_code == 302
    # once the lock expires, it works again
    account = db.session.scalar(select(User).where(User.username == "erin"))
    account.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert auth.login("erin").status_code == 302


def test_next_parameter_cannot_redirect_off_site(client, db):
    builders.user("frank")
    page = client.get("/login")
    response = client.post("/login?next=//evil.example/x", data={
        "username": "frank", "password": builders.PASSWORD, "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_session_cookie_is_httponly_and_samesite(client, auth, db):
    builders.user("gina")
    response = auth.login("gina")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_password_is_stored_hashed(db):
    account = builders.user("hank")
    assert builders.PASSWORD not in account.password_hash
    assert account.password_hash.startswith(("scrypt:", "pbkdf2:"))
