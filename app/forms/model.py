"""A Camunda Form (form-js JSON, as Camunda Modeler 5.x writes it) read into immutable objects.

Loading only checks the structure (JSON object, an id, components as objects). Whether the form
uses anything Yunguan cannot honour is ``check_form``'s question, asked at deploy time.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.forms import messages as m

MAX_FILE_BYTES = 1024 * 1024  # a hand-made form is a few KB; a megabyte is a mistake or an attack
MAX_DEPTH = 8  # groups inside groups; Camunda Modeler itself nests a handful at most

# Components that bind a variable (form-js calls them "keyed").
INPUT_TYPES = frozenset({"textfield", "textarea", "number", "checkbox", "checklist", "radio", "select", "datetime"})
OPTION_TYPES = frozenset({"checklist", "radio", "select"})
LAYOUT_TYPES = frozenset({"text", "group", "spacer", "separator", "button"})
SUPPORTED_TYPES = INPUT_TYPES | LAYOUT_TYPES


class FormLoadError(ValueError):
    """A .form file that is not a form at all; ``reason`` is in the current locale."""

    def __init__(self, source: str, message: Any, **params: Any):
        self.source = source
        self._message = message
        self.params = params
        super().__init__(f"{source}: {m.text(message, **params)}")

    @property
    def reason(self) -> str:
        return m.text(self._message, **self.params)


@dataclass(frozen=True, eq=False)
class Component:
    """One entry of ``components`` (recursively for groups). ``raw`` is the JSON as written."""

    type: str
    id: str
    where: str  # the id if it has one, else its position ("components[2]"): what problems name
    raw: Mapping[str, Any]
    children: tuple[Component, ...] = ()

    @property
    def key(self) -> str | None:
        key = self.raw.get("key")
        return key if isinstance(key, str) and key else None

    @property
    def is_input(self) -> bool:
        return self.type in INPUT_TYPES

    @property
    def label(self) -> str:
        if self.type == "datetime":
            # form-js datetime fields have a date label and a time label instead of one label.
            parts = [self.raw.get("dateLabel"), self.raw.get("timeLabel")]
            if self.raw.get("subtype") == "date":
                parts = parts[:1]
            elif self.raw.get("subtype") == "time":
                parts = parts[1:]
            joined = " ".join(p for p in parts if isinstance(p, str) and p)
            if joined:
                return joined
        label = self.raw.get("label")
        return label if isinstance(label, str) else ""

    @property
    def validate(self) -> Mapping[str, Any]:
        rules = self.raw.get("validate")
        if not isinstance(rules, Mapping):
            return {}
        # Camunda Modeler leaves cleared rules behind as null or "": they mean "no rule".
        return {k: v for k, v in rules.items() if v is not None and v != ""}

    @property
    def required(self) -> bool:
        return self.validate.get("required") is True

    @property
    def disabled(self) -> bool:
        return self.raw.get("disabled") is True

    @property
    def readonly(self) -> bool:
        return self.raw.get("readonly") is True

    @property
    def accepts_input(self) -> bool:
        """Whether a submission may set this field (disabled and read-only fields keep their value)."""
        return self.is_input and not self.disabled and not self.readonly

    @property
    def values_key(self) -> str | None:
        key = self.raw.get("valuesKey")
        return key if isinstance(key, str) and key else None

    @property
    def description(self) -> str:
        value = self.raw.get("description")
        return value if isinstance(value, str) else ""


@dataclass(frozen=True, eq=False)
class FormDefinition:
    """A loaded form. ``digest`` identifies its content: caches key on (id, digest)."""

    id: str
    components: tuple[Component, ...]
    raw: Mapping[str, Any]
    digest: str
    source: str = "<memory>"
    schema_version: int | None = field(default=None)

    def walk(self) -> Iterator[Component]:
        """Every component, depth first, groups before their children."""
        stack = list(reversed(self.components))
        while stack:
            component = stack.pop()
            yield component
            stack.extend(reversed(component.children))

    def inputs(self) -> list[Component]:
        """The components that bind a variable, in form order."""
        return [c for c in self.walk() if c.is_input and c.key]

    @property
    def cache_key(self) -> tuple[str, str]:
        return (self.id, self.digest)


def load_form(path: str | Path) -> FormDefinition:
    """Read a .form file; raise FormLoadError (naming the file) when it is not a form."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise FormLoadError(str(path), m.LOAD_UNREADABLE, error=exc.strerror or str(exc))
    return parse_form(data, source=str(path))


def parse_form(data: bytes | str | Mapping[str, Any], *, source: str = "<memory>") -> FormDefinition:
    """Build a FormDefinition from file bytes, JSON text or an already decoded document."""
    if isinstance(data, Mapping):
        document: Any = data
        encoded = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    else:
        encoded = data.encode() if isinstance(data, str) else data
        if len(encoded) > MAX_FILE_BYTES:
            raise FormLoadError(source, m.LOAD_TOO_LARGE, kb=MAX_FILE_BYTES // 1024)
        try:
            document = json.loads(encoded)
        except (ValueError, RecursionError) as exc:
            raise FormLoadError(source, m.LOAD_NOT_JSON, error=str(exc)[:200])
    if not isinstance(document, Mapping):
        raise FormLoadError(source, m.LOAD_NOT_OBJECT)
    form_id = document.get("id")
    if not isinstance(form_id, str) or not form_id.strip():
        raise FormLoadError(source, m.LOAD_NO_ID)
    version = document.get("schemaVersion")
    return FormDefinition(
        id=form_id,
        components=_components(document.get("components", []), "components", source, depth=0),
        raw=document,
        digest=hashlib.sha256(encoded).hexdigest(),
        source=source,
        schema_version=version if isinstance(version, int) and not isinstance(version, bool) else None,
    )


def _components(items: Any, where: str, source: str, *, depth: int) -> tuple[Component, ...]:
    if depth > MAX_DEPTH:
        raise FormLoadError(source, m.LOAD_TOO_DEEP, depth=MAX_DEPTH)
    if not isinstance(items, list):
        raise FormLoadError(source, m.LOAD_COMPONENTS)
    built = []
    for index, item in enumerate(items):
        position = f"{where}[{index}]"
        if not isinstance(item, Mapping):
            raise FormLoadError(source, m.LOAD_COMPONENT, where=position)
        kind = item.get("type") if isinstance(item.get("type"), str) else ""
        ident = item.get("id") if isinstance(item.get("id"), str) else ""
        children: tuple[Component, ...] = ()
        if "components" in item:
            children = _components(item["components"], f"{ident or position}.components", source, depth=depth + 1)
        built.append(Component(type=kind, id=ident, where=ident or position, raw=item, children=children))
    return tuple(built)
