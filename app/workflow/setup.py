"""Wire the engine into the app: one Engine (spec cache, serializer) and the form registry."""
from __future__ import annotations

from flask import Flask

from app.forms.registry import FormRegistry
from app.workflow.engine import Engine, use_app_clock


def init_engine(app: Flask) -> None:
    from app.workflow.expressions import RestrictedScriptEngine
    from app.workflow.timing import script_functions

    use_app_clock()
    app.extensions["yunguan.engine"] = Engine(lambda: RestrictedScriptEngine(functions=script_functions()))
    app.extensions["yunguan.forms"] = FormRegistry(app.config["FORMS_DIR"])
