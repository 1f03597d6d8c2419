"""An HTML form post (no JavaScript) turned into the JSON a form-js client would send.

Browsers post text, omit unticked checkboxes and send one entry per ticked checklist option. This
converts what it can (numbers, option tokens back to option values, checkbox presence to a
bool) and passes through what it cannot, unchanged, so ``validate_submission`` refuses it with
the same message the API gets and the page can show the entry again beside its error.
Keys that are not fields of the form (``csrf_token``, the page's own buttons) are left out.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from app.forms.fields import to_decimal
from app.forms.model import FormDefinition
from app.forms.options import Option, options_for, options_from_data


class MultiDictLike(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...

    def __contains__(self, key: object) -> bool: ...


def parse_form_post(
    definition: FormDefinition,
    form: MultiDictLike,
    *,
    options: Mapping[str, Any] | None = None,
    current: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``request.form`` → the typed dict for ``validate_submission`` (same ``options``/``current``)."""
    if options is None:
        options = options_from_data(definition, current)
    data: dict[str, Any] = {}
    for component in definition.inputs():
        if not component.accepts_input:
            continue  # disabled inputs are not posted; read-only ones are, and are not ours to take
        key, kind = component.key, component.type
        if kind == "checkbox":
            data[key] = key in form
        elif kind == "checklist":
            choices = options_for(component, options)
            data[key] = [_option_value(choices, token) for token in form.getlist(key)]
        elif kind in ("radio", "select"):
            token = form.get(key, "")
            data[key] = None if token == "" else _option_value(options_for(component, options), token)
        elif kind == "number":
            data[key] = _number(form.get(key, ""), as_string=component.raw.get("serializeToString") is True)
        elif kind == "datetime":
            text = form.get(key, "")
            data[key] = (text.strip() or None) if isinstance(text, str) else text
        else:
            data[key] = form.get(key, "")
    return data


def _option_value(choices: list[Option], token: Any) -> Any:
    return next((option.value for option in choices if option.token == token), token)


def _number(text: Any, *, as_string: bool) -> Any:
    if not isinstance(text, str) or not text.strip():
        return None
    if as_string:
        return text.strip()
    number = to_decimal(text)
    if number is None:
        return text  # "abc", "1,000": the validator says "Enter a number." and the page shows it again
    # What JSON would carry: 12 for "12", a decimal for "12.50" (kept exact, not a float).
    return int(number) if int(number.as_tuple().exponent) >= 0 else number
