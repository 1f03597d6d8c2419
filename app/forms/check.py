"""Deploy-time checking: refuse, naming the component, anything Yunguan would not honour.

A form is rendered and validated on the server without a FEEL engine, so anything form-js would
evaluate — a property whose value starts with ``=``, ``conditional.hide``, templates beyond
``{{ name }}`` in text — is refused rather than silently ignored (a hidden field that shows, or a
rule that never runs, is worse than a form that does not deploy). So are component types and
validation rules we do not implement, and keys the engine cannot store.
"""
from __future__ import annotations

import keyword
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from app.forms import dates
from app.forms import messages as m
from app.forms.fields import MAX_NUMBER_DIGITS, compile_pattern, field_for, to_decimal
from app.forms.markdown import has_unsupported_template
from app.forms.model import INPUT_TYPES, OPTION_TYPES, SUPPORTED_TYPES, Component, FormDefinition
from app.forms.options import is_option_value

KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# SpiffWorkflow's serializer reads a dict with a "typename" key as an object and fails to load it.
RESERVED_KEYS = frozenset({"typename"})
RULES = {
    "textfield": {"required", "minLength", "maxLength", "pattern", "validationType"},
    "textarea": {"required", "minLength", "maxLength", "pattern"},
    "number": {"required", "min", "max"},
}
VALIDATION_TYPES = ("email", "phone", "custom")
# Properties whose behaviour we do not implement (the types that use them most are refused anyway).
UNSUPPORTED_PROPERTIES = ("valuesExpression", "isRepeating", "dataSource", "expression")
# Repetition of a group that itself repeats, e.g. (a+)+ or (\w*)*: exponential backtracking.
NESTED_REPEAT_RE = re.compile(r"\((?:[^()\\]|\\.)*[+*}]\)[+*{]")


@dataclass(frozen=True)
class FormProblem:
    """Why a component is refused. ``reason`` is in the current locale; ``code`` is for machines."""

    component_id: str
    code: str
    message: Any = field(repr=False, compare=False)
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def reason(self) -> str:
        return m.text(self.message, **dict(self.params))

    def __str__(self) -> str:
        return f"{self.component_id}: {self.reason}"


class UnsupportedForm(ValueError):
    """Raised when a form with problems is rendered or validated (deploy should have refused it)."""

    def __init__(self, definition: FormDefinition, problems: list[FormProblem]):
        self.form_id = definition.id
        self.problems = problems
        super().__init__(f"form {definition.id}: " + "; ".join(str(p) for p in problems))


def check_form(definition: FormDefinition) -> list[FormProblem]:
    """Every reason the form cannot be used, in form order; empty when it can."""
    problems: list[FormProblem] = []
    ids: set[str] = set()
    keys: set[str] = set()
    for component in definition.walk():
        problems.extend(_check(component, ids, keys))
    return problems


_supported_cache: dict[tuple[str, str], list[FormProblem]] = {}


def ensure_supported(definition: FormDefinition) -> None:
    """Raise UnsupportedForm unless ``check_form`` finds nothing (cached per form content)."""
    problems = _supported_cache.get(definition.cache_key)
    if problems is None:
        if len(_supported_cache) > 512:  # forms change rarely; this only bounds a pathological case
            _supported_cache.clear()
        problems = _supported_cache[definition.cache_key] = check_form(definition)
    if problems:
        raise UnsupportedForm(definition, problems)


def _check(component: Component, ids: set[str], keys: set[str]) -> Iterator[FormProblem]:
    where = component.where

    def problem(code: str, message: Any, **params: Any) -> FormProblem:
        return FormProblem(where, code, message, tuple(params.items()))

    if not component.type:
        yield problem("no_type", m.P_NO_TYPE)
        return
    if not component.id:
        yield problem("no_id", m.P_NO_ID)
    elif component.id in ids:
        yield problem("duplicate_id", m.P_DUPLICATE_ID, id=component.id)
    ids.add(component.id)
    if component.type not in SUPPORTED_TYPES:
        yield problem("unsupported_type", m.P_TYPE, type=component.type)
        return
    yield from _expressions(component, problem)
    yield from _properties(component, problem)
    if component.type in INPUT_TYPES:
        yield from _key(component, keys, problem)
        yield from _rules(component, problem)
        yield from _type_specific(component, problem)
        yield from _default(component, problem)


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for name, inner in value.items():
            # children are checked as components; custom "properties" are never evaluated by form-js
            if not path and name in ("components", "properties"):
                continue
            yield from _strings(inner, f"{path}.{name}" if path else str(name))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _strings(inner, f"{path}[{index}]")


def _expressions(component: Component, problem) -> Iterator[FormProblem]:
    feel = set()
    for path, value in _strings(component.raw, ""):
        if value.startswith("="):
            feel.add(path.split(".")[0])
            yield problem("feel", m.P_FEEL, property=path)
        elif component.type == "text" and path == "text":
            if has_unsupported_template(value):
                yield problem("template", m.P_TEXT_TEMPLATE)
        elif "{{" in value:
            yield problem("template", m.P_TEMPLATE, property=path)
    conditional = component.raw.get("conditional")
    if "conditional" not in feel and conditional and (
        not isinstance(conditional, Mapping) or any(v not in (None, "", False) for v in conditional.values())
    ):
        yield problem("conditional", m.P_CONDITIONAL, property="conditional")


def _properties(component: Component, problem) -> Iterator[FormProblem]:
    raw = component.raw
    for name in UNSUPPORTED_PROPERTIES:
        if raw.get(name) not in (None, "", False):
            yield problem("property", m.P_PROPERTY, property=name)
    if component.type == "group" and raw.get("path"):
        yield problem("group_path", m.P_GROUP_PATH)
    for name in ("disabled", "readonly", "searchable", "disallowPassedDates", "serializeToString", "use24h"):
        value = raw.get(name)
        if value is not None and not isinstance(value, bool) and not str(value).startswith("="):
            yield problem("flag", m.P_FLAG, property=name)


def _key(component: Component, keys: set[str], problem) -> Iterator[FormProblem]:
    key = component.raw.get("key")
    if not isinstance(key, str) or not key:
        yield problem("no_key", m.P_NO_KEY)
        return
    if not KEY_RE.fullmatch(key):
        # form-js reads "a.b" as a path into an object; we keep task data flat.
        yield problem("bad_key", m.P_BAD_KEY, key=key)
    elif key in RESERVED_KEYS or keyword.iskeyword(key) or (key.startswith("__") and key.endswith("__")):
        # keywords and dunders cannot be named in the Python conditions of the diagrams
        yield problem("reserved_key", m.P_RESERVED_KEY, key=key)
    if key in keys:
        yield problem("duplicate_key", m.P_DUPLICATE_KEY, key=key)
    keys.add(key)


def _rules(component: Component, problem) -> Iterator[FormProblem]:
    rules = component.validate
    allowed = RULES.get(component.type, {"required"})
    for rule, value in rules.items():
        if rule not in allowed:
            yield problem("rule", m.P_RULE, rule=rule, type=component.type)
        elif rule == "required" and not isinstance(value, bool):
            yield problem("rule_value", m.P_RULE_BOOL, rule=rule)
        elif rule in ("min", "max") and (isinstance(value, str) or to_decimal(value) is None):
            yield problem("rule_value", m.P_RULE_NUMBER, rule=rule)
        elif rule in ("minLength", "maxLength") and not _count(value):
            yield problem("rule_value", m.P_RULE_COUNT, rule=rule)
        elif rule == "validationType" and (
            value not in VALIDATION_TYPES or (value == "custom" and "pattern" not in rules)
        ):
            # "custom" is Camunda Modeler's name for "the pattern below"; without a pattern it means nothing.
            yield problem("validation_type", m.P_VALIDATION_TYPE, value=str(value))
        elif rule == "pattern":
            yield from _pattern(value, problem)


def _pattern(value: Any, problem) -> Iterator[FormProblem]:
    if not isinstance(value, str):
        yield problem("pattern", m.P_PATTERN, error=type(value).__name__)
        return
    try:
        compile_pattern(value)
    except re.error as exc:
        yield problem("pattern", m.P_PATTERN, error=str(exc))
        return
    if NESTED_REPEAT_RE.search(value):
        yield problem("pattern_slow", m.P_PATTERN_SLOW)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _type_specific(component: Component, problem) -> Iterator[FormProblem]:
    raw = component.raw
    if component.type in OPTION_TYPES:
        values = raw.get("values")
        if component.values_key is None and (not isinstance(values, list) or not values):
            yield problem("options_source", m.P_OPTIONS_SOURCE)
        elif component.values_key is None:
            for index, item in enumerate(values):
                if not (isinstance(item, Mapping) and isinstance(item.get("label"), str)
                        and is_option_value(item.get("value"))):
                    yield problem("option", m.P_OPTION, index=index + 1)
    elif component.type == "datetime":
        if raw.get("subtype") not in (None, *dates.SUBTYPES):
            yield problem("subtype", m.P_SUBTYPE, value=str(raw.get("subtype")))
        if raw.get("timeSerializingFormat") not in (None, *dates.TIME_FORMATS):
            yield problem("time_format", m.P_TIME_FORMAT, value=str(raw.get("timeSerializingFormat")))
    elif component.type == "number":
        digits = raw.get("decimalDigits")
        if digits is not None and not (_count(digits) and digits <= MAX_NUMBER_DIGITS):
            yield problem("decimal_digits", m.P_DECIMAL_DIGITS)
        increment = raw.get("increment")
        if increment not in (None, ""):
            step = to_decimal(increment)
            if step is None or step <= 0 or -step.as_tuple().exponent > MAX_NUMBER_DIGITS:
                yield problem("increment", m.P_INCREMENT)


def _default(component: Component, problem) -> Iterator[FormProblem]:
    """A default the field itself would refuse would block every submission that omits the field."""
    if "defaultValue" not in component.raw or component.raw["defaultValue"] is None or component.values_key:
        return
    try:
        field_for_default = field_for(component)
        if component.accepts_input:
            field_for_default.convert(component.raw["defaultValue"])
    except ValidationError as exc:
        yield problem("default_value", m.P_DEFAULT, error=" ".join(_flat(exc.messages)))
    except (re.error, TypeError, ValueError, KeyError):
        return  # the rule itself is broken: already reported by _rules / _type_specific


def _flat(messages: Any) -> list[str]:
    if isinstance(messages, list | tuple):
        return [str(item) for item in messages]
    return [str(messages)]
