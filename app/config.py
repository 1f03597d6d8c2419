"""Settings: read once at start-up, typed, defaulted and validated.

Precedence, highest first: ``create_app(config=...)`` overrides (tests), the process
environment, ``instance/config.py``, then the defaults below. An invalid value stops the
app at start-up with a message naming the setting.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url


class ConfigError(RuntimeError):
    """A setting is missing or malformed; raised before the app serves anything."""


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected a boolean (true/false), got {value!r}")


def _int(value: Any) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"expected a non-negative integer, got {value!r}")
    return number


def _timezone(value: Any) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return str(value)


def _database_url(value: Any) -> str:
    url = make_url(str(value))
    if url.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ValueError("only sqlite:// and postgresql:// URLs are supported")
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        # psycopg 3 is the driver we install; SQLAlchemy would otherwise look for psycopg2.
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _locale(value: Any) -> str:
    if value not in {"zh", "en"}:
        raise ValueError("expected 'zh' or 'en'")
    return str(value)


def _attachment_types(value: Any) -> frozenset[str]:
    known = {"pdf", "png", "jpeg", "docx", "xlsx", "txt", "csv"}
    kinds = frozenset(v.strip().lower() for v in (value.split(",") if isinstance(value, str) else value) if v.strip())
    if not kinds or kinds - known:
        raise ValueError(f"expected a comma-separated subset of {', '.join(sorted(known))}")
    return kinds


# name -> (default, parser). A default of None means "computed in load_config".
SETTINGS: dict[str, tuple[Any, Callable[[Any], Any]]] = {
    "DATABASE_URL": (None, _database_url),
    "SECRET_KEY": (None, str),
    "SCHEDULER_ENABLED": (False, _bool),
    "SCHEDULER_POLL_SECONDS": (5, _int),
    "SCHEDULER_TIMER_WORKERS": (2, _int),
    "SCHEDULER_TIMER_BATCH": (10, _int),
    "INBOX_DUE_SOON_WORKDAYS": (2, _int),
    "TIMEZONE": ("Asia/Shanghai", _timezone),
    "DEFAULT_LOCALE": ("zh", _locale),
    "MAX_CONTENT_LENGTH": (2 * 1024 * 1024, _int),
    "SESSION_COOKIE_SECURE": (False, _bool),
    "LOGIN_MAX_FAILURES": (5, _int),
    "LOGIN_LOCKOUT_SECONDS": (900, _int),
    "API_TOKEN_DAYS": (30, _int),
    "UTILISATION_RAW_DAYS": (90, _int),  # raw utilisation samples kept; daily rollups stay
    "BPMN_DIR": (None, str),
    "FORMS_DIR": (None, str),
    "TESTING": (False, _bool),
    "SQLALCHEMY_ECHO": (False, _bool),
    # Attachments (app/attachments): stored outside the web root; below MAX_CONTENT_LENGTH so the
    # multipart envelope still fits in one request.
    "ATTACHMENTS_DIR": (None, str),
    "ATTACHMENT_MAX_BYTES": (2 * 1024 * 1024 - 64 * 1024, _int),
    "ATTACHMENT_TYPES": ("pdf,png,jpeg,docx,xlsx,txt,csv", _attachment_types),
}


def _instance_settings(instance_path: Path) -> dict[str, Any]:
    path = instance_path / "config.py"
    if not path.exists():
        return {}
    namespace: dict[str, Any] = {"__file__": str(path)}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102 - admin-owned file
    return {k: v for k, v in namespace.items() if k.isupper()}


def _secret_key(instance_path: Path) -> str:
    """Generated once into the instance folder so sessions survive restarts; never a constant."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the validated settings. Raises ConfigError naming the first bad setting."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parent.parent
    from_file = _instance_settings(folder)
    overrides = overrides or {}
    result: dict[str, Any] = {}
    for name, (default, parse) in SETTINGS.items():
        if name in overrides:
            raw = overrides[name]
        elif name in os.environ:
            raw = os.environ[name]
        elif name in from_file:
            raw = from_file[name]
        else:
            raw = default
        if raw is None:
            continue
        try:
            result[name] = parse(raw)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"setting {name}: {exc}") from exc
    # Anything else the caller passes (e.g. Flask's own keys in tests) is kept as is.
    for name, value in {**from_file, **overrides}.items():
        result.setdefault(name, value)

    if "DATABASE_URL" not in result:
        result["DATABASE_URL"] = f"sqlite:///{folder / 'yunguan.sqlite3'}"
    if not result.get("SECRET_KEY"):
        result["SECRET_KEY"] = _secret_key(folder)
    if len(result["SECRET_KEY"]) < 16:
        raise ConfigError("setting SECRET_KEY: must be at least 16 characters")
    result.setdefault("BPMN_DIR", str(root / "bpmn"))
    result.setdefault("FORMS_DIR", str(root / "forms"))
    result.setdefault("ATTACHMENTS_DIR", str(folder / "attachments"))

    result["SQLALCHEMY_DATABASE_URI"] = result["DATABASE_URL"]
    result["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(result["DATABASE_URL"])
    result["SESSION_COOKIE_HTTPONLY"] = True
    result["SESSION_COOKIE_SAMESITE"] = "Lax"
    result["REMEMBER_COOKIE_HTTPONLY"] = True
    result["REMEMBER_COOKIE_SECURE"] = result["SESSION_COOKIE_SECURE"]
    result["WTF_CSRF_TIME_LIMIT"] = None  # the token lives as long as the session
    result["BABEL_DEFAULT_LOCALE"] = result["DEFAULT_LOCALE"]
    result["BABEL_DEFAULT_TIMEZONE"] = result["TIMEZONE"]
    result.update(_api_settings())
    return result


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # Several threads (web + scheduler) share the file; wait for locks instead of failing.
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True}


def _api_settings() -> dict[str, Any]:
    return {
        "API_TITLE": "Yunguan",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": None,  # our own docs page serves local assets, see app/web
    }
