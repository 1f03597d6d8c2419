"""Validating a submission against its form: one marshmallow schema per form, for the API and pages.

The schema class is built once per form content (id + digest) and cached; an instance is made per
call because ``valuesKey`` options differ per task (marshmallow 4 has no ``context``: the fields
read them from their parent schema's ``options``).

Submitted data may hold only the form's keys; anything else is refused per key ("unknown" is an
error, not silently dropped, so a client sending ``approved`` to a form whose key is ``approve``
hears about it). Disabled and read-only fields accept no input: the task keeps its value.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError

from app.errors import ValidationFailed
from app.forms import messages as m
from app.forms.check import ensure_supported
from app.forms.fields import field_for
from app.forms.model import FormDefinition
from app.forms.options import options_from_data

_CACHE_SIZE = 256
_classes: OrderedDict[tuple[str, str], type[Schema]] = OrderedDict()
_lock = threading.Lock()


class FormSchema(Schema):
    """Base of the generated schemas: our messages, unknown keys refused, options per instance."""

    error_messages = {"unknown": m.UNKNOWN_FIELD, "type": m.NOT_AN_OBJECT}  # noqa: RUF012 - marshmallow's API

    class Meta:
        unknown = RAISE

    def __init__(self, *, options: Mapping[str, Any] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.options = dict(options or {})


def schema_class(definition: FormDefinition) -> type[Schema]:
    """The cached schema class of a form (refuses forms that check_form would refuse)."""
    with _lock:
        cls = _classes.get(definition.cache_key)
        if cls is not None:
            _classes.move_to_end(definition.cache_key)
            return cls
    ensure_supported(definition)
    declared = {component.key: field_for(component) for component in definition.inputs()}
    cls = FormSchema.from_dict(declared, name=f"FormSchema[{definition.id}]")
    with _lock:
        _classes[definition.cache_key] = cls
        while len(_classes) > _CACHE_SIZE:
            _classes.popitem(last=False)
    return cls


def build_schema(definition: FormDefinition, *, options: Mapping[str, Any] | None = None) -> Schema:
    """A schema for one submission; ``options`` maps each ``valuesKey`` to its list of options."""
    return schema_class(definition)(options=options)


def validate_submission(
    definition: FormDefinition,
    data: Any,
    *,
    options: Mapping[str, Any] | None = None,
    current: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The typed values of every field of the form, or ValidationFailed with reasons per key.

    ``current`` is the task's data: disabled and read-only fields take their value from it (input
    for them is ignored), and ``valuesKey`` options come from it unless ``options`` is given.
    """
    current = current or {}
    if options is None:
        options = options_from_data(definition, current)
    try:
        result = build_schema(definition, options=options).load(data)
    except ValidationError as exc:
        raise ValidationFailed(m.text(m.SOME_FIELDS_INVALID), fields=_reasons(exc.messages))
    for component in definition.inputs():
        if not component.accepts_input and component.key in current:
            result[component.key] = current[component.key]
    return result


def _reasons(messages: Any) -> dict[str, list[str]]:
    if not isinstance(messages, Mapping):
        return {"_schema": [str(item) for item in _as_list(messages)]}
    # str(): marshmallow keeps our schema-level messages lazy; the answer carries plain text.
    return {str(key): [str(item) for item in _as_list(value)] for key, value in messages.items()}


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]
