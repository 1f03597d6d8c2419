"""Yunguan (云管): the back office of the Shanghai government cloud."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, CLI and error handlers. Nothing else."""
    from app import api, auth, cli, errors, i18n
    from app.config import load_config
    from app.extensions import configure_sqlite, csrf, db, login_manager, migrate

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

    from app.accounts import api as accounts_api
    from app.accounts import views as accounts_views
    from app.inbox import api as inbox_api
    from app.web import nav
    from app.web import views as web_views
    from app.workflow import api as workflow_api
    from app.workflow.setup import init_engine

    app.register_blueprint(web_views.bp)
    app.register_blueprint(accounts_views.bp)
    # resources (helper): catalogue, projects and resources — pages, API, service-task handlers
    from app.catalog import api as catalog_api
    from app.catalog import handlers as _catalog_handlers  # noqa: F401 - registers service-task topics
    from app.catalog import views as catalog_views
    from app.projects import api as projects_api
    from app.resources import api as resources_api
    from app.resources import handlers as _resources_handlers  # noqa: F401 - registers service-task topics
    from app.resources import views as resources_views

    app.register_blueprint(catalog_views.bp)
    app.register_blueprint(resources_views.bp)
    # end resources (helper)
    api.init_app(app, [accounts_api.bp, workflow_api.bp, inbox_api.bp,
                       catalog_api.bp, projects_api.bp, resources_api.bp])  # resources (helper): last three
    init_engine(app)

    nav.init_app(app)
    cli.init_app(app)
    return app
