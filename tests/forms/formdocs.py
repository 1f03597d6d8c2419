"""Builders for .form documents shaped the way Camunda Modeler 5.x writes them."""
from __future__ import annotations

import html.parser
import json
from itertools import count
from pathlib import Path
from typing import Any

from werkzeug.datastructures import MultiDict

from app.forms import FormDefinition, parse_form

_ids = count(1)
EXPORTER = {"name": "Camunda Modeler", "version": "5.28.0"}


def new_id(prefix: str = "Field") -> str:
    # The modeler writes ids like Field_0x1y2z3: a prefix and seven base-36 characters.
    return f"{prefix}_{next(_ids):07d}"


def component(kind: str, key: str | None = None, label: str | None = None, *, row: str | None = None,
              columns: int | None = None, **props: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if label is not None:
        doc["label"] = label
    doc["type"] = kind
    doc["layout"] = {"row": row or new_id("Row"), "columns": columns}
    doc["id"] = props.pop("id", None) or new_id("Group" if kind == "group" else "Field")
    if key is not None:
        doc["key"] = key
    doc.update(props)
    return doc


def values(*pairs: tuple[str, Any]) -> list[dict[str, Any]]:
    return [{"label": label, "value": value} for label, value in pairs]


def document(form_id: str, *components: dict[str, Any], schema_version: int = 16) -> dict[str, Any]:
    return {
        "components": list(components),
        "type": "default",
        "id": form_id,
        "executionPlatform": "Camunda Platform",
        "executionPlatformVersion": "7.21.0",
        "exporter": EXPORTER,
        "schemaVersion": schema_version,
    }


def form(form_id: str, *components: dict[str, Any]) -> FormDefinition:
    return parse_form(json.dumps(document(form_id, *components), ensure_ascii=False, indent=2))


def write(directory: Path, name: str, doc: dict[str, Any]) -> Path:
    path = directory / name
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


class _BrowserForm(html.parser.HTMLParser):
    """What a browser would post from the HTML: enabled, named, successful controls only."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self._textarea: tuple[str, list[str]] | None = None
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value") or "on"))
            elif kind not in ("submit", "button", "reset"):
                self.pairs.append((a["name"], a.get("value") or ""))
        elif tag == "textarea" and a.get("name") and "disabled" not in a:
            self._textarea = (a["name"], [])
        elif tag == "select" and a.get("name") and "disabled" not in a:
            self._select = {"name": a["name"], "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": []}

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option["text"].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            self.pairs.append((self._textarea[0], "".join(self._textarea[1])))
            self._textarea = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value = self._option["value"] if self._option["value"] is not None else "".join(self._option["text"])
            if self._select["first"] is None:
                self._select["first"] = value
            if self._option["selected"]:
                self._select["chosen"] = value
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"] if self._select["chosen"] is not None else self._select["first"]
            self.pairs.append((self._select["name"], chosen or ""))
            self._select = None


def browser_post(html: str, **changes: Any) -> MultiDict:
    """The MultiDict a browser would post from the rendered fields, plus the page's CSRF token."""
    parser = _BrowserForm()
    parser.feed(html)
    posted = MultiDict(parser.pairs)
    for key, value in changes.items():
        posted.setlist(key, value if isinstance(value, list) else [value])
    posted.add("csrf_token", "token-from-the-page")
    return posted
