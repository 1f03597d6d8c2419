"""Where attachment bytes live: ``ATTACHMENTS_DIR`` (outside the web root), two-level fan-out by a
generated uuid. Nothing here ever sees a name the user chose."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from flask import current_app

_STORAGE_NAME = re.compile(r"^[0-9a-f]{32}$")


def root() -> Path:
    return Path(current_app.config["ATTACHMENTS_DIR"])


def path_of(storage_name: str) -> Path:
    if not _STORAGE_NAME.match(storage_name):  # defence in depth: only names we generated
        raise ValueError(f"not a storage name: {storage_name!r}")
    return root() / storage_name[:2] / storage_name


def save(data: bytes) -> str:
    """Write the bytes under a new name (exclusive create, owner-only) and return the name."""
    name = uuid.uuid4().hex
    target = path_of(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return name


def remove(storage_name: str) -> None:
    path_of(storage_name).unlink(missing_ok=True)
