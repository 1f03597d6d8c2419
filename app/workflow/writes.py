"""The writes of one engine step, sent together.

A step writes its derived rows (ended and new tasks, candidate rows, timer rows, audit events)
and then its instance row. As one statement each, every write was a round trip to PostgreSQL,
and on a busy machine a round trip costs more than the Python of the whole step (bench/engine.py).
``StepWrites`` collects them; ``flush`` sends them with the instance UPDATE:

- **PostgreSQL**: one statement. Each write is a data-modifying CTE reading its rows from one
  JSON parameter (``json_to_recordset``); the version-guarded instance UPDATE is the main
  statement, so its row count still tells a lost race. All parts run with the same snapshot and
  touch different rows; foreign keys are checked at the end of the statement, so candidate rows
  may reference tasks inserted beside them.
- **SQLite**: the same Core statements one after the other (in-process calls: nothing to save).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

_PG = postgresql.dialect()


@dataclass
class _Op:
    kind: str  # "insert", or the name of an UPDATE in _UPDATES
    statement: Any  # the Core statement SQLite runs
    params: Any
    table: Table | None = None


@dataclass
class StepWrites:
    ops: list[_Op] = field(default_factory=list)

    def update(self, kind: str, statement: Any, params: dict[str, Any] | list[dict[str, Any]]) -> None:
        """An UPDATE named in ``_UPDATES``; several of one kind become one executemany."""
        rows = params if isinstance(params, list) else [params]
        for op in self.ops:
            if op.kind == kind and op.statement is statement:
                op.params.extend(rows)
                return
        self.ops.append(_Op(kind, statement, list(rows)))

    def insert(self, table: Table, statement: Any, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.ops.append(_Op("insert", statement, rows, table))

    def flush(self, conn: Connection, instance_update: Any, params: dict[str, Any]) -> int:
        """Run every collected write and then ``instance_update``; its row count."""
        ops, self.ops = self.ops, []
        if conn.dialect.name != "postgresql":
            for op in ops:
                conn.execute(op.statement, op.params)
            return conn.execute(instance_update, params).rowcount
        statement, payload = _postgresql(ops)
        values = {key: (value.astimezone(UTC) if isinstance(value, datetime) else value)
                  for key, value in params.items()}
        return conn.execute(statement, {"payload": json.dumps(payload, default=_json_value), **values}).rowcount


# -- PostgreSQL ---------------------------------------------------------------------------------
# Each UPDATE the step may make: SQL reading rows r(...) from the payload's list, and how SQLite's
# parameters become that list.
_UPDATES: dict[str, tuple[str, Any]] = {
    "end_tasks": ('UPDATE human_task AS t SET status = r.new_status, completed_at = r."at", completed_by = r."by" '
                  'FROM p, json_to_recordset(p.j -> \'{key}\') AS r(task varchar, new_status varchar, '
                  '"at" timestamptz, "by" varchar) WHERE t.id = r.task', lambda params: params),
    "close_candidates": ("UPDATE task_candidate SET is_open = false WHERE task_id IN "
                         "(SELECT json_array_elements_text(p.j -> '{key}') FROM p)",
                         lambda params: [task for row in params for task in row["tasks"]]),
    "end_timers": ('UPDATE workflow_timer AS w SET status = r.new_status, fired_at = r."at" '
                   'FROM p, json_to_recordset(p.j -> \'{key}\') AS r(timer bigint, new_status varchar, '
                   '"at" timestamptz) WHERE w.id = r.timer', lambda params: params),
    "move_timers": ('UPDATE workflow_timer AS w SET due_at = r.due, fired_at = r."at" '
                    'FROM p, json_to_recordset(p.j -> \'{key}\') AS r(timer bigint, due timestamptz, '
                    '"at" timestamptz) WHERE w.id = r.timer', lambda params: params),
}
_INSTANCE = ("UPDATE process_instance SET {sets} WHERE id = :instance AND lock_version = :expected")
SAVED = ("state", "serializer_version", "updated_at", "status", "ended_at", "definition_id", "has_incident",
          "audit_seq", "audit_hash", "lock_version")
_statements: dict[tuple, Any] = {}  # by the shape of the writes: a handful, each prepared by the server


def _postgresql(ops: list[_Op]) -> tuple[Any, dict[str, Any]]:
    payload: dict[str, Any] = {}
    parts, shape = [], []
    for index, op in enumerate(ops):
        key = f"w{index}"
        if op.kind == "insert":
            payload[key] = rows = _with_defaults(op.table, op.params)
            columns = tuple(rows[0])
            shape.append(("insert", op.table.name, columns))
            parts.append(_insert_sql(op.table, columns, key))
        else:
            sql, to_rows = _UPDATES[op.kind]
            payload[key] = to_rows(op.params)
            shape.append((op.kind,))
            parts.append(sql.format(key=key))
    statement = _statements.get(tuple(shape))
    if statement is None:
        ctes = ["p AS (SELECT CAST(:payload AS json) AS j)"]
        ctes += [f"w{index} AS ({sql})" for index, sql in enumerate(parts)]
        sets = ", ".join(f"{name} = :{name}" for name in SAVED)
        statement = text("WITH " + ",\n".join(ctes) + "\n" + _INSTANCE.format(sets=sets))
        _statements[tuple(shape)] = statement
    return statement, payload


def _insert_sql(table: Table, columns: tuple[str, ...], key: str) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    types = ", ".join(f'"{c}" {table.c[c].type.compile(dialect=_PG)}' for c in columns)
    # Names come from the table's metadata and the step's own keys, never from input.
    return (f"INSERT INTO {table.name} ({names}) SELECT {names} "  # noqa: S608
            f"FROM p, json_to_recordset(p.j -> '{key}') AS r({types})")


_defaults: dict[tuple[str, tuple[str, ...]], list[tuple[str, Any]]] = {}


def _with_defaults(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every row with the same keys, and the columns' Python defaults where no row gives a value
    (Core applies them itself; json_to_recordset would write NULL, e.g. for ``attempts``)."""
    keys = tuple(dict.fromkeys(key for row in rows for key in row))
    missing = _defaults.get((table.name, keys))
    if missing is None:
        missing = _defaults[(table.name, keys)] = [
            (column.key, column.default.arg) for column in table.columns
            if column.key not in keys and column.default is not None]
    extra = {key: arg(None) if callable(arg) else arg for key, arg in missing}
    if not extra and all(len(row) == len(keys) for row in rows):
        return rows  # the common case: complete rows, nothing to add
    return [{**extra, **{key: row.get(key) for key in keys}} for row in rows]


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
