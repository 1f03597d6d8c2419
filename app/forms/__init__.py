"""Camunda Forms (form-js ``.form`` files) for user tasks: load, check at deploy, validate, render.

A user task names its form with ``camunda:formRef`` = the form's ``id``; the files live in
``FORMS_DIR`` (the top-level ``forms/``). The same validator serves the API (JSON) and the
pages (``parse_form_post`` turns an HTML post into that JSON first)::

    definition = current_registry().get(form_ref)
    problems = check_form(definition)                         # at deploy: refuse if not empty
    data = validate_submission(definition, payload, current=task.data)   # or ValidationFailed
    html = render_form(definition, values=task.data, errors=exc.fields)  # inside the page's <form>
    api = form_schema_json(definition, options=options_from_data(definition, task.data))
"""
from __future__ import annotations

from app.forms.check import FormProblem, UnsupportedForm, check_form, ensure_supported
from app.forms.model import Component, FormDefinition, FormLoadError, load_form, parse_form
from app.forms.options import form_schema_json, options_from_data
from app.forms.post import parse_form_post
from app.forms.registry import FormNotFound, FormRegistry, current_registry
from app.forms.render import has_submit_button, render_form
from app.forms.schema import build_schema, validate_submission

__all__ = [
    "Component",
    "FormDefinition",
    "FormLoadError",
    "FormNotFound",
    "FormProblem",
    "FormRegistry",
    "UnsupportedForm",
    "build_schema",
    "check_form",
    "current_registry",
    "ensure_supported",
    "form_schema_json",
    "has_submit_button",
    "load_form",
    "options_from_data",
    "parse_form",
    "parse_form_post",
    "render_form",
    "validate_submission",
]
