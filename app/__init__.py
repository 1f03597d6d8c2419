"""Yunguan (云管): the back office of the Shanghai government cloud."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, CLI and error handlers. Nothing else."""
    from app import auth, cli, errors, i18n
    from app.config import load_config
    from app.extensions import configure_sqlite, csrf, db, login_manager, migrate
    from app.web import nav

    app = Flask(__name__, instance_path=str(ROOT / "instance"), instance_relative_config=True)
    app.config.update(load_config(app.instance_path, config))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from app import models  # noqa: F401 - complete metadata before anything maps or migrates

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    errors.init_app(app)

    register_domains(app)
    init_engine_and_scheduler(app)
    nav.init_app(app)
    cli.init_app(app)
    return app


# Pages and API blueprints of each domain, by module path: one list to extend for a new domain.
PAGE_BLUEPRINTS = [
    "app.web.views", "app.accounts.views", "app.inbox.views", "app.admin.views",
    "app.catalog.views", "app.resources.views",
    "app.evaluation.views",
    "app.governance.views",
    "app.billing.views",
    "app.monitoring.views",
    "app.procurement.views",
    "app.attachments.views", "app.onboarding.views",
]
API_BLUEPRINTS = [
    "app.accounts.api", "app.workflow.api", "app.inbox.api", "app.admin.api", "app.jobs.api",
    "app.catalog.api", "app.projects.api", "app.resources.api", "app.metering.api",
    "app.evaluation.api",
    "app.governance.api",
    "app.billing.api",
    "app.monitoring.api",
    "app.procurement.api",
    "app.attachments.api", "app.onboarding.api",
]
# Modules whose import registers service-task handlers (topics diagrams may name).
HANDLER_MODULES = [
    "app.catalog.handlers", "app.resources.handlers",
    "app.evaluation.handlers",
    "app.governance.handlers",
    "app.billing.handlers",
    "app.monitoring.handlers",
    "app.procurement.handlers",
    "app.onboarding.handlers",
]


def register_domains(app: Flask) -> None:
    from importlib import import_module

    from app import api

    for name in HANDLER_MODULES:
        import_module(name)
    for name in PAGE_BLUEPRINTS:
        app.register_blueprint(import_module(name).bp)
    api.init_app(app, [import_module(name).bp for name in API_BLUEPRINTS])


def init_engine_and_scheduler(app: Flask) -> None:
    from app.workflow.setup import init_engine
    from scheduler import init_scheduler

    init_engine(app)
    init_scheduler(app)  # starts only when SCHEDULER_ENABLED, outside tests and the reloader's parent
