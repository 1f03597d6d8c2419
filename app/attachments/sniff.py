"""What a file really is, from its first bytes, and what its name may say.

An upload is accepted only when its extension is allowed *and* its content matches that extension:
an ``.exe`` renamed ``.pdf`` starts with ``MZ``, not ``%PDF-``, and is refused. Office files are zip
archives; the member that makes them a Word or Excel document must be present. Text must decode and
hold no control characters. Names are metadata: a name carrying a path is refused outright.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile

from flask_babel import gettext as _

from app.errors import ValidationFailed

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}
EXTENSIONS = {"pdf": "pdf", "png": "png", "jpg": "jpeg", "jpeg": "jpeg", "docx": "docx", "xlsx": "xlsx",
              "txt": "txt", "csv": "csv"}
ZIP_MEMBERS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
MAX_NAME = 120
_UNSAFE = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _refuse(reason: str) -> ValidationFailed:
    return ValidationFailed(_("The file cannot be accepted."), fields={"file": [reason]}, code="file_refused")


def clean_name(name: str) -> str:
    """The user's file name, fit to show and to offer on download. A name with a path in it
    (``../../etc/passwd``, ``C:\\x``) is refused: browsers send bare names, so it is an attack."""
    name = unicodedata.normalize("NFKC", name or "").strip()
    if not name or "/" in name or "\\" in name or "\x00" in name or name.strip(". ") == "":
        raise _refuse(_("The file name must be a plain name, without a path."))
    name = _UNSAFE.sub("_", name).lstrip(".")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 8 else name[:MAX_NAME]
    return name


def kind_of(name: str, head: bytes, data: bytes, allowed: frozenset[str]) -> str:
    """The attachment's kind when the name's extension is allowed and the content matches it."""
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    kind = EXTENSIONS.get(extension)
    if kind is None or kind not in allowed:
        raise _refuse(_("Files of this type are not accepted (allowed: %(types)s).",
                        types=", ".join(sorted(allowed))))
    if not _matches(kind, head, data):
        raise _refuse(_("The content of the file is not a %(kind)s document.", kind=kind.upper()))
    return kind


def _matches(kind: str, head: bytes, data: bytes) -> bool:
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if kind in ZIP_MEMBERS:
        return head.startswith(b"PK\x03\x04") and _zip_has(data, ZIP_MEMBERS[kind])
    return _is_text(data)


def _zip_has(data: bytes, member: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and member in names


def _is_text(data: bytes) -> bool:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GB18030
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not _TEXT_CONTROL.search(text)
    return False
