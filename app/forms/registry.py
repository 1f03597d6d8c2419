"""The forms of one directory by id, re-read when a file changes.

Each lookup stats the directory's ``*.form`` files (a few dozen stat calls, microseconds) and
re-parses only files whose size or modification time changed, so an edited form is served on the
next request without a restart and an unchanged one is never parsed twice.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from flask import current_app

from app.forms import messages as m
from app.forms.model import FormDefinition, FormLoadError, load_form


class FormNotFound(LookupError):
    """No loadable form has this id (absent, unreadable, or its id is claimed by two files)."""


class FormRegistry:
    """``FormRegistry(directory).get(form_id)``; files that fail to load are listed in ``errors()``."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self._lock = threading.Lock()
        # path -> (signature, definition or the error that file gave)
        self._files: dict[str, tuple[tuple[int, int, int], FormDefinition | FormLoadError]] = {}
        self._by_id: dict[str, FormDefinition] = {}
        self._errors: dict[str, FormLoadError] = {}

    def get(self, form_id: str) -> FormDefinition:
        definition = self.find(form_id)
        if definition is None:
            raise FormNotFound(form_id)
        return definition

    def find(self, form_id: str) -> FormDefinition | None:
        self._refresh()
        return self._by_id.get(form_id)

    def ids(self) -> list[str]:
        self._refresh()
        return sorted(self._by_id)

    def all(self) -> list[FormDefinition]:
        self._refresh()
        return [self._by_id[form_id] for form_id in sorted(self._by_id)]

    def errors(self) -> dict[str, FormLoadError]:
        """Files that could not be served, by path: unreadable, not a form, or a duplicated id."""
        self._refresh()
        return dict(self._errors)

    def _scan(self) -> dict[str, tuple[int, int, int]]:
        found: dict[str, tuple[int, int, int]] = {}
        try:
            entries = list(os.scandir(self.directory))
        except OSError:
            return found  # no directory yet: no forms, not an error
        for entry in entries:
            if entry.name.endswith(".form") and entry.is_file():
                stat = entry.stat()
                found[entry.path] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        return found

    def _refresh(self) -> None:
        with self._lock:
            current = self._scan()
            changed = current.keys() != self._files.keys() or any(
                self._files[path][0] != signature for path, signature in current.items()
            )
            if not changed:
                return
            files = {}
            for path, signature in current.items():
                known = self._files.get(path)
                if known and known[0] == signature:
                    files[path] = known
                    continue
                try:
                    files[path] = (signature, load_form(path))
                except FormLoadError as exc:
                    files[path] = (signature, exc)
            self._files = files
            self._index()

    def _index(self) -> None:
        by_id: dict[str, list[tuple[str, FormDefinition]]] = {}
        errors: dict[str, FormLoadError] = {}
        for path, (_, loaded) in sorted(self._files.items()):
            if isinstance(loaded, FormLoadError):
                errors[path] = loaded
            else:
                by_id.setdefault(loaded.id, []).append((path, loaded))
        served = {}
        for form_id, claims in by_id.items():
            if len(claims) == 1:
                served[form_id] = claims[0][1]
                continue
            # Two files with one id: serving either would depend on directory order. Serve neither.
            for path, _ in claims:
                others = ", ".join(Path(p).name for p, _ in claims if p != path)
                errors[path] = FormLoadError(path, m.LOAD_DUPLICATE_ID, form_id=form_id, other=others)
        self._by_id, self._errors = served, errors


def current_registry() -> FormRegistry:
    """The app's registry (``app.extensions["yunguan.forms"]``), over ``FORMS_DIR`` unless wired otherwise."""
    registry = current_app.extensions.get("yunguan.forms")
    if registry is None:
        registry = current_app.extensions["yunguan.forms"] = FormRegistry(current_app.config["FORMS_DIR"])
    return registry
