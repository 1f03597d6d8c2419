"""Chinese by default, English on request (session choice, then the user's setting)."""
from __future__ import annotations

from flask import Flask, current_app, session
from flask_login import current_user

from app.extensions import babel

LOCALES = ("zh", "en")


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in LOCALES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    return current_app.config["DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")

    @app.context_processor
    def _inject_locale() -> dict:
        return {"current_locale": select_locale(), "locales": LOCALES}
