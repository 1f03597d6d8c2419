import pytest

from app.config import ConfigError, load_config


def test_invalid_value_stops_startup(tmp_path, monkeypatch):
    monkeypatch.setenv("SCHEDULER_ENABLED", "maybe")
    with pytest.raises(ConfigError, match="SCHEDULER_ENABLED"):
        load_config(str(tmp_path))


def test_unknown_timezone_and_database_rejected(tmp_path):
    with pytest.raises(ConfigError, match="TIMEZONE"):
        load_config(str(tmp_path), {"TIMEZONE": "Mars/Olympus"})
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_config(str(tmp_path), {"DATABASE_URL": "mysql://x@y/z"})


def test_secret_key_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(str(tmp_path))["SECRET_KEY"]
    second = load_config(str(tmp_path))["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_precedence_environment_then_instance_file_then_default(tmp_path, monkeypatch):
    monkeypatch.delenv("TIMEZONE", raising=False)
    monkeypatch.delenv("LOGIN_MAX_FAILURES", raising=False)
    (tmp_path / "config.py").write_text('TIMEZONE = "Europe/Paris"\nLOGIN_MAX_FAILURES = 9\n')
    assert load_config(str(tmp_path))["TIMEZONE"] == "Europe/Paris"
    monkeypatch.setenv("TIMEZONE", "UTC")
    settings = load_config(str(tmp_path))
    assert settings["TIMEZONE"] == "UTC"
    assert settings["LOGIN_MAX_FAILURES"] == 9
    assert settings["SCHEDULER_POLL_SECONDS"] == 5
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'yunguan.sqlite3'}"


def test_postgres_url_uses_psycopg3(tmp_path):
    settings = load_config(str(tmp_path), {"DATABASE_URL": "postgresql://u@127.0.0.1/db"})
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
