"""Bulk ingestion helpers shared by collectors' endpoints (metering M.13/P.4(6), utilisation M.13).

Reading an upload (JSON ``{"rows": [...]}`` or a CSV file ``file=``), cutting long lists into
chunks, and an idempotent upsert on both databases: re-sending a row replaces it, never adds.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from flask import request
from flask_babel import gettext as _
from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.orm import Session

from app.errors import BadRequest

# A 100,000-row upload is about 3 MB as CSV and 10 MB as JSON; the app-wide limit is 2 MB.
UPLOAD_LIMIT = 32 * 1024 * 1024
CHUNK = 2000  # ids per IN (...)
UPSERT_ROWS = 20_000  # rows per statement


def chunks(values: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def rows_from_csv(data: bytes, columns: Iterable[str]) -> Iterator[dict[str, Any]]:
    """CSV with a header naming at least ``columns`` (UTF-8, a BOM allowed)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest(_("The file is not UTF-8 text."), code="bad_file")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise BadRequest(_("The CSV header lacks: %(columns)s.", columns=", ".join(missing)), code="bad_file")
    return iter(reader)


def upload_rows(from_csv: Callable[[bytes], Iterable[dict[str, Any]]]) -> Iterator[Any]:
    """The rows of the current request: a CSV file (multipart ``file=``) or a JSON body
    ``{"rows": [...]}``; lazy, so nothing is read before the service has checked who is sending."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest(_('Send the CSV as the form field "file".'), code="bad_file")
        yield from from_csv(upload.read())
        return
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("rows"), list):
        raise BadRequest(_('Send {"rows": [...]} as JSON or a CSV file as the form field "file".'))
    yield from body["rows"]


def upsert(session: Session, table: Table, values: list[dict[str, Any]], *, key: list[str], columns: list[str],
           replaced: list[str], now: datetime) -> None:
    """INSERT … ON CONFLICT (``key``) DO UPDATE ``replaced`` (+ ``received_at`` = ``now``).

    On PostgreSQL the rows travel as one array per column and are unnested on the server: one
    statement per 20,000 rows instead of one per row (bench/ingest.py: 100,000 rows in 6.2 s
    instead of 8.1 s with executemany)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY, insert

        arrays = [bindparam(name, type_=ARRAY(table.c[name].type)) for name in columns]
        rows = func.unnest(*arrays).table_valued(*columns).render_derived()
        source = select(*(rows.c[name] for name in columns), bindparam("now", type_=table.c.received_at.type))
        stmt = insert(table).from_select([*columns, "received_at"], source)
        stmt = stmt.on_conflict_do_update(index_elements=key, set_=_set(stmt, replaced))
        for chunk in chunks(values, UPSERT_ROWS):
            session.execute(stmt, {"now": now, **{name: [row[name] for row in chunk] for name in columns}})
        return
    from sqlalchemy.dialects.sqlite import insert

    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(index_elements=key, set_=_set(stmt, replaced))
    for chunk in chunks(values, UPSERT_ROWS):
        session.execute(stmt, [{**row, "received_at": now} for row in chunk])


def _set(stmt, replaced: list[str]) -> dict[str, Any]:
    return {name: stmt.excluded[name] for name in (*replaced, "received_at")}
