"""Server-side rendering of a form: plain HTML inputs that work without JavaScript.

``render_form`` renders the *fields* only. The page that includes it owns the ``<form>`` element,
its ``action``/``method`` and the CSRF token (the inbox wraps it with its own), and links the
stylesheet with ``{% block head %}{% include "forms/_head.html" %}{% endblock %}``.
Layout follows form-js: components sharing ``layout.row`` sit on one row of a 16-column grid,
``layout.columns`` is a component's width (empty: an equal share of what is left).
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import render_template
from markupsafe import Markup

from app.forms import dates
from app.forms import messages as m
from app.forms.check import ensure_supported
from app.forms.fields import DEFAULT_MAX_LENGTH
from app.forms.markdown import display, render_markdown
from app.forms.model import OPTION_TYPES, Component, FormDefinition
from app.forms.options import is_option_value, options_for, options_from_data, token

GRID_COLUMNS = 16
DATETIME_INPUT = {"date": "date", "time": "time", "datetime": "datetime-local"}


@dataclass
class OptionView:
    label: str
    token: str
    selected: bool
    dom_id: str


@dataclass
class Cell:
    """What one component's partial needs; built here so the templates stay logic-free."""

    type: str
    component: Component
    dom_id: str
    span: int = GRID_COLUMNS
    key: str = ""
    label: str = ""
    description: str = ""
    required: bool = False
    errors: list[str] = field(default_factory=list)
    value: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    options: list[OptionView] = field(default_factory=list)
    prefix: str = ""
    suffix: str = ""
    placeholder: str = ""
    required_hint: str = ""
    html: Markup | None = None
    rows: list[list[Cell]] = field(default_factory=list)
    height: int = 0
    attachment_ids: list[str] | None = None  # a textfield holding attachment ids (properties.attachments)


@dataclass
class _Context:
    definition: FormDefinition
    values: Mapping[str, Any]
    errors: Mapping[str, Sequence[str]]
    options: Mapping[str, Any]
    readonly: bool
    prefix: str


def render_form(
    definition: FormDefinition,
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, Sequence[str]] | None = None,
    options: Mapping[str, Any] | None = None,
    readonly: bool = False,
) -> Markup:
    """The form's fields as HTML, to be placed inside the page's own ``<form>`` (see module doc).

    ``values``: the task data (or, after a refused post, what ``parse_form_post`` returned, so
    entries are kept); a field missing from it shows its ``defaultValue``. ``errors``: the
    ``fields`` of a ValidationFailed. ``options``: ``valuesKey`` options (default: from ``values``).
    ``readonly``: show a completed task — every input disabled, no submit buttons.
    """
    ensure_supported(definition)
    values = values or {}
    context = _Context(
        definition=definition,
        values=values,
        errors=errors or {},
        options=options if options is not None else options_from_data(definition, values),
        readonly=readonly,
        prefix="form-" + _slug(definition.id),
    )
    rows = _rows(definition.components, context)
    html = render_template("forms/_form.html", form_id=definition.id, dom_id=context.prefix, rows=rows,
                           summary=_summary(rows, context), summary_title=m.text(m.SOME_FIELDS_INVALID))
    return Markup(html)  # noqa: S704 - a Jinja template with autoescaping


def has_submit_button(definition: FormDefinition) -> bool:
    """Whether the form brings its own submit button (if not, the page adds one)."""
    return any(c.type == "button" and c.raw.get("action", "submit") == "submit" for c in definition.walk())


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


def _rows(components: Sequence[Component], context: _Context) -> list[list[Cell]]:
    grouped: list[list[Component]] = []
    by_row: dict[str, list[Component]] = {}
    for component in components:
        if component.type == "button" and (context.readonly or component.raw.get("action", "submit") != "submit"):
            continue  # reset buttons are not supported; a read-only form has nothing to submit
        layout = component.raw.get("layout")
        row = layout.get("row") if isinstance(layout, Mapping) else None
        if isinstance(row, str) and row:
            if row not in by_row:
                by_row[row] = []
                grouped.append(by_row[row])
            by_row[row].append(component)
        else:
            grouped.append([component])
    return [_spans([_cell(c, context) for c in row]) for row in grouped]


def _spans(row: list[Cell]) -> list[Cell]:
    explicit = {}
    for cell in row:
        layout = cell.component.raw.get("layout")
        columns = layout.get("columns") if isinstance(layout, Mapping) else None
        if isinstance(columns, int) and not isinstance(columns, bool) and columns > 0:
            explicit[id(cell)] = min(columns, GRID_COLUMNS)
    automatic = [cell for cell in row if id(cell) not in explicit]
    left = GRID_COLUMNS - sum(explicit.values())
    share = max(1, left // len(automatic)) if automatic and left > 0 else GRID_COLUMNS
    for cell in row:
        cell.span = explicit.get(id(cell), share)
    return row


def _cell(component: Component, context: _Context) -> Cell:
    cell = Cell(type=component.type, component=component,
                dom_id=f"{context.prefix}-{_slug(component.id or component.where)}",
                label=component.label, description=component.description)
    if component.type == "text":
        cell.html = render_markdown(str(component.raw.get("text", "")), context.values)
    elif component.type == "group":
        cell.rows = _rows(component.children, context)
    elif component.type == "spacer":
        height = component.raw.get("height", 60)
        cell.height = min(max(height, 0), 400) if isinstance(height, int) and not isinstance(height, bool) else 60
    elif component.is_input and component.key:
        _input(cell, component, context)
    return cell


def _input(cell: Cell, component: Component, context: _Context) -> None:
    key = cell.key = component.key or ""
    cell.required = component.required
    cell.errors = [str(e) for e in context.errors.get(key, [])]
    value = context.values[key] if key in context.values else component.raw.get("defaultValue")
    attrs = cell.attrs
    described = [f"{cell.dom_id}-error"] if cell.errors else []
    if cell.description:
        described.append(f"{cell.dom_id}-desc")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if cell.errors:
        attrs["aria-invalid"] = "true"
    # HTML has no read-only choice inputs: those are disabled (and so not posted) instead.
    text_like = component.type in ("textfield", "textarea", "number", "datetime")
    if context.readonly or component.disabled or (component.readonly and not text_like):
        attrs["disabled"] = "disabled"
    elif component.readonly:
        attrs["readonly"] = "readonly"
    if cell.required and component.type != "checklist":  # HTML cannot require "one of these boxes"
        attrs["required"] = "required"
    if component.type in OPTION_TYPES:
        _choices(cell, component, context, value)
    elif component.type == "checkbox":
        attrs.update(type="checkbox", value="true")
        if value is True:
            attrs["checked"] = "checked"
    elif component.type == "datetime":
        subtype = component.raw.get("subtype") if component.raw.get("subtype") in DATETIME_INPUT else "date"
        attrs["type"] = DATETIME_INPUT[subtype]
        cell.value = dates.input_value(subtype, value)
    else:
        _text(cell, component, value)


def _text(cell: Cell, component: Component, value: Any) -> None:
    attrs, rules = cell.attrs, component.validate
    appearance = component.raw.get("appearance")
    if isinstance(appearance, Mapping):
        cell.prefix = str(appearance.get("prefixAdorner") or "")
        cell.suffix = str(appearance.get("suffixAdorner") or "")
    if isinstance(value, Decimal):
        cell.value = format(value, "f")
    else:
        cell.value = display(value)
    if component.type == "number":
        # type=text, not number: browsers would enforce step from min and localise the decimal point.
        attrs.update(type="text", inputmode="numeric" if component.raw.get("decimalDigits") == 0 else "decimal")
        attrs["autocomplete"] = "off"
        return
    if component.type == "textfield":
        attrs["type"] = {"email": "email", "phone": "tel"}.get(rules.get("validationType"), "text")
        if str((component.raw.get("properties") or {}).get("attachments", "")).lower() == "true":
            cell.attachment_ids = re.findall(r"\d+", cell.value)  # app/attachments: upload link, downloads
    attrs["maxlength"] = rules.get("maxLength", DEFAULT_MAX_LENGTH[component.type])
    if rules.get("minLength"):
        attrs["minlength"] = rules["minLength"]


def _choices(cell: Cell, component: Component, context: _Context, value: Any) -> None:
    chosen = value if isinstance(value, list) else [value]
    tokens = {token(v) for v in chosen if is_option_value(v)} | {v for v in chosen if isinstance(v, str)}
    cell.options = [
        OptionView(label=option.label, token=option.token, selected=option.token in tokens,
                   dom_id=f"{cell.dom_id}-{index}")
        for index, option in enumerate(options_for(component, context.options))
    ]
    if component.type == "select":
        cell.placeholder = m.text(m.CHOOSE)
    elif cell.required:
        cell.required_hint = m.text(m.REQUIRED_HINT)  # a fieldset has no "required" attribute to announce


def _summary(rows: list[list[Cell]], context: _Context) -> list[dict[str, str]]:
    """Every error in form order, linked to its field; errors of keys no field shows come last, unlinked."""
    cells: list[Cell] = []
    stack = [cell for row in reversed(rows) for cell in reversed(row)]
    while stack:
        cell = stack.pop()
        cells.append(cell)
        stack.extend(inner for row in reversed(cell.rows) for inner in reversed(row))
    items = []
    shown = set()
    for cell in cells:
        if cell.key and cell.errors:
            shown.add(cell.key)
            # A group of radios or boxes is reached through its first option.
            target = cell.options[0].dom_id if cell.options and cell.type != "select" else cell.dom_id
            items.extend({"href": target, "label": cell.label or cell.key, "message": e} for e in cell.errors)
    for key, reasons in context.errors.items():
        if key not in shown:
            label = "" if key == "_schema" else key
            items.extend({"href": "", "label": label, "message": str(reason)} for reason in reasons)
    return items
