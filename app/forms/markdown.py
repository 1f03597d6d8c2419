"""The safe Markdown subset of text components, and their ``{{ variable }}`` substitution.

Supported: paragraphs (a single newline is a line break), ``#`` headings, ``-``/``*``/``+`` and
``1.`` lists, ``**bold**``, ``*italic*``/``_italic_``, ```code``` and ``[links](https://…)``
to http(s) only. Everything is HTML-escaped first and only these fixed tags are added, so no input
can produce other markup. Anything else (raw HTML, images, tables) shows as the text it is.

Templates: only ``{{ name }}`` or ``{{ name.field }}`` (form-js also has ``{{#if}}``, ``{{#loop}}``
and FEEL inside braces; check_form refuses those). Values are substituted after the Markdown is
rendered and are escaped, so a variable can never add markup or a link.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

TEMPLATE_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}")
# Private-use characters mark substitution points; they are removed from the input first.
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_MARK_RE = re.compile(f"{_MARK_OPEN}(\\d+){_MARK_CLOSE}")

_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET_RE = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_ORDERED_RE = re.compile(r"^\s{0,3}\d{1,9}[.)]\s+(.*)$")
_LINK_RE = re.compile(r"\[([^\]\n]+)\]\(\s*([^)\s]+)\s*\)")
_SAFE_URL_RE = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
_CODE_RE = re.compile(r"`([^`\n]+)`")
_STRONG_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)")
_EM_RE = re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*|(?<!\w)_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)")


def has_unsupported_template(text: str) -> bool:
    """True when braces remain after removing the supported ``{{ name }}`` templates."""
    rest = TEMPLATE_RE.sub("", text)
    return "{{" in rest or "}}" in rest


def render_markdown(text: str, values: Mapping[str, Any] | None = None) -> Markup:
    text = text.replace(_MARK_OPEN, "").replace(_MARK_CLOSE, "").replace("\r\n", "\n")
    slots: list[str] = []

    def mark(match: re.Match[str]) -> str:
        slots.append(_lookup(values or {}, match.group(1)))
        return f"{_MARK_OPEN}{len(slots) - 1}{_MARK_CLOSE}"

    html = _blocks(TEMPLATE_RE.sub(mark, text))
    html = _MARK_RE.sub(lambda match: str(escape(slots[int(match.group(1))])), html)
    return Markup(html)  # noqa: S704 - built only from escaped text and the fixed tags above


def _lookup(values: Mapping[str, Any], path: str) -> str:
    current: Any = values
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return ""
        current = current[part]
    return display(current)


def display(value: Any) -> str:
    """A task-data value as text for a person."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list | tuple):
        return ", ".join(display(v) for v in value)
    if isinstance(value, Mapping):
        return ""
    return str(value)


def _blocks(text: str) -> str:
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def flush_paragraph() -> None:
        if paragraph:
            out.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()

    def flush_list() -> None:
        nonlocal list_tag
        if items:
            out.append(f"<{list_tag}>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + f"</{list_tag}>")
            items.clear()
        list_tag = ""

    for line in text.split("\n"):
        heading, bullet, ordered = _HEADING_RE.match(line), _BULLET_RE.match(line), _ORDERED_RE.match(line)
        if not line.strip():
            flush_paragraph()
            flush_list()
        elif heading:
            flush_paragraph()
            flush_list()
            # h1/h2 would compete with the page's own headings: the form's top level is h3.
            level = min(len(heading.group(1)) + 2, 6)
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif bullet or ordered:
            flush_paragraph()
            tag = "ul" if bullet else "ol"
            if list_tag and list_tag != tag:
                flush_list()
            list_tag = tag
            items.append((bullet or ordered).group(1))  # type: ignore[union-attr]
        elif items:
            items[-1] += " " + line.strip()  # a continuation line of the last item
        else:
            paragraph.append(line.strip())
    flush_paragraph()
    flush_list()
    return "".join(out)


def _inline(text: str) -> str:
    """Escape, then add links, code, bold and italic; link URLs are checked on the raw text."""
    parts: list[str] = []
    position = 0
    for match in _LINK_RE.finditer(text):
        parts.append(_emphasis(text[position:match.start()]))
        label, url = match.group(1), match.group(2)
        if _SAFE_URL_RE.match(url):
            parts.append(f'<a href="{escape(url)}" rel="noopener noreferrer" target="_blank">{_emphasis(label)}</a>')
        else:
            parts.append(_emphasis(label))  # javascript:, data:, relative… links lose their link
        position = match.end()
    parts.append(_emphasis(text[position:]))
    return "".join(parts)


def _emphasis(text: str) -> str:
    pieces = _CODE_RE.split(text)  # odd indexes are code spans: no emphasis inside them
    html = []
    for index, piece in enumerate(pieces):
        escaped = str(escape(piece))
        if index % 2:
            html.append(f"<code>{escaped}</code>")
            continue
        escaped = _STRONG_RE.sub(lambda mt: f"<strong>{mt.group(1) or mt.group(2)}</strong>", escaped)
        escaped = _EM_RE.sub(lambda mt: f"<em>{mt.group(1) or mt.group(2)}</em>", escaped)
        html.append(escaped)
    return "".join(html)
