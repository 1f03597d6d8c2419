"""Chinese by default, English on request (session choice, then the user's setting)."""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, session
from flask_babel import refresh
from flask_login import current_user

from app.extensions import babel

LOCALES = ("zh", "en")


def select_locale() -> str:
    if not has_request_context():  # CLI and scheduler jobs speak the default language
        return current_app.config["DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in LOCALES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    return current_app.config["DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    # Flask-Babel caches the locale on the app context; a context that outlives one request
    # (CLI, tests, the scheduler) must not keep the previous request's language.
    app.before_request(refresh)

    @app.context_processor
    def _inject_locale() -> dict:
        return {"current_locale": select_locale(), "locales": LOCALES}
