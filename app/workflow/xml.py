"""Safe XML reading for uploaded diagrams (ENGINE-NOTES "Safety": XXE, billion laughs).

Every diagram enters through ``parse_xml``: SpiffWorkflow's own parser uses lxml defaults, so we
hand it an already-parsed tree and never let it read bytes itself.
"""
from __future__ import annotations

import hashlib

from lxml import etree

MAX_BYTES = 5 * 1024 * 1024

# A DTD is the door for external entities (XXE) and entity expansion (billion laughs). BPMN never
# needs one, so any declaration is refused before lxml sees the bytes; the spellings below cover
# UTF-8 and both UTF-16 byte orders (the encodings an XML declaration may announce here).
_FORBIDDEN = ("<!DOCTYPE", "<!ENTITY")
_FORBIDDEN_BYTES = tuple(
    marker.encode(encoding) for marker in _FORBIDDEN for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


class XmlError(ValueError):
    """The bytes are not a diagram we are willing to read; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers keep state and are not safe to share between threads.
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=False,
    )


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def parse_xml(data: bytes, *, max_bytes: int = MAX_BYTES) -> etree._ElementTree:
    """Parse untrusted XML, or raise ``XmlError`` with a message a process owner can act on."""
    if not isinstance(data, bytes | bytearray):
        raise XmlError("the diagram must be given as bytes")
    if len(data) > max_bytes:
        raise XmlError(f"the file is {len(data):,} bytes; the limit is {max_bytes:,} bytes")
    if not data.strip():
        raise XmlError("the file is empty")
    for marker in _FORBIDDEN_BYTES:
        offset = data.find(marker)
        if offset >= 0:
            raise XmlError(
                "the file declares a DTD or entities (<!DOCTYPE/<!ENTITY); diagrams must not "
                "(it is how XXE and entity-expansion attacks work)",
                _line_of(data, offset),
            )
    try:
        root = etree.fromstring(bytes(data), _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else None)
        raise XmlError(f"malformed XML at line {line}: {exc.msg}", line) from None
    except (ValueError, etree.LxmlError) as exc:
        raise XmlError(f"unreadable XML: {exc}") from None
    tree = root.getroottree()
    # Belt and braces: a declaration in an encoding the byte scan does not know still ends here.
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise XmlError("the file declares a DTD (<!DOCTYPE); diagrams must not", 1)
    return tree


def digest(tree: etree._ElementTree) -> str:
    """sha256 of the canonical form (C14N, comments dropped).

    The same diagram saved with another encoding, line endings, attribute order or comments hashes
    the same, so re-deploying an unchanged file is recognisable as "no new version".
    """
    canonical = etree.tostring(tree, method="c14n", with_comments=False)
    return hashlib.sha256(canonical).hexdigest()


def short_tag(tag: object) -> str:
    """``{ns}userTask`` → ``userTask``; comments and processing instructions have no name."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]
