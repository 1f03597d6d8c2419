"""Options of select, radio and checklist fields: static ``values`` or a variable named by ``valuesKey``.

An option's value keeps its JSON type (form-js allows text, numbers and booleans); HTML can only
post text, so each option also has a ``token``, its text form, used as the ``value`` attribute and
mapped back by ``parse_form_post``.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.forms.model import OPTION_TYPES, Component, FormDefinition


@dataclass(frozen=True)
class Option:
    label: str
    value: Any
    token: str


def is_option_value(value: Any) -> bool:
    return isinstance(value, str | int | float | Decimal) and value != "" and value == value  # NaN != NaN


def token(value: Any) -> str:
    """The text form of an option value, as it appears in HTML."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return json.dumps(value)


def same_value(a: Any, b: Any) -> bool:
    """JSON equality: ``1 == True`` and ``"1" == 1`` must not hold for options, ``1 == 1.0`` may."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    numbers = int | float | Decimal
    if isinstance(a, numbers) and isinstance(b, numbers):
        return Decimal(str(a)) == Decimal(str(b))
    return type(a) is type(b) and a == b


def normalize_options(raw: Any) -> list[Option]:
    """form-js's rules: ``{label, value}`` objects or bare values; anything else is skipped."""
    if not isinstance(raw, list | tuple):
        return []
    options = []
    for item in raw:
        if isinstance(item, Mapping):
            value, label = item.get("value"), item.get("label")
            if not is_option_value(value):
                continue
            if not isinstance(label, str) or not label:
                label = token(value)
        elif is_option_value(item):
            value, label = item, token(item)
        else:
            continue
        options.append(Option(label=label, value=value, token=token(value)))
    return options


def options_for(component: Component, options: Mapping[str, Any] | None) -> list[Option]:
    """The options a field offers: its static values, or ``options[valuesKey]`` (none when absent)."""
    key = component.values_key
    if key is not None:
        return normalize_options((options or {}).get(key))
    return normalize_options(component.raw.get("values"))


def find_option(choices: Iterable[Option], value: Any) -> Option | None:
    return next((option for option in choices if same_value(option.value, value)), None)


def options_from_data(definition: FormDefinition, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``valuesKey`` options a form needs, taken from task data (form-js reads them the same way)."""
    data = data or {}
    return {
        component.values_key: data[component.values_key]
        for component in definition.walk()
        if component.type in OPTION_TYPES and component.values_key and component.values_key in data
    }


def form_schema_json(definition: FormDefinition, *, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The form-js JSON for API clients: unchanged, except fields whose ``valuesKey`` is in ``options``
    also get static ``values`` (form-js prefers static values, so any client renders the same choices)."""
    document = copy.deepcopy(dict(definition.raw))
    if options:
        _resolve(document.get("components"), options)
    return document


def _resolve(components: Any, options: Mapping[str, Any]) -> None:
    if not isinstance(components, list):
        return
    for component in components:
        if not isinstance(component, dict):
            continue
        key = component.get("valuesKey")
        if component.get("type") in OPTION_TYPES and isinstance(key, str) and key in options:
            component["values"] = [{"label": o.label, "value": o.value} for o in normalize_options(options[key])]
        _resolve(component.get("components"), options)
