"""Wire the engine into the app: one Engine (spec cache, serializer) and the form registry."""
from __future__ import annotations

import logging

from flask import Flask

from app.forms.registry import FormRegistry
from app.workflow.engine import Engine, use_app_clock


def init_engine(app: Flask) -> None:
    from app.workflow.expressions import RestrictedScriptEngine
    from app.workflow.timing import script_functions

    use_app_clock()
    # SpiffWorkflow logs every task state change at INFO: with the app's INFO root logger that
    # was a formatted line per change, a third of an engine step's time (bench/engine.py).
    spiff = logging.getLogger("spiff")
    if spiff.level == logging.NOTSET:
        spiff.setLevel(logging.WARNING)
    app.extensions["yunguan.engine"] = Engine(lambda: RestrictedScriptEngine(functions=script_functions()))
    app.extensions["yunguan.forms"] = FormRegistry(app.config["FORMS_DIR"])
