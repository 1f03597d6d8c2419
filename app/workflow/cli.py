"""``flask bpmn validate PATH…``: the deploy-time verdict for diagram files, without deploying.

Prints ``file:line: [element] reason`` per problem (the format editors and CI understand) and
exits 1 when any file is refused. ``deploy`` is added to the same group by app/cli.py.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import click
from flask.cli import AppGroup

from app.workflow import xml as safe_xml
from app.workflow.parser import executable_processes

bpmn_cli = AppGroup("bpmn", help="BPMN diagrams.")

SUFFIXES = (".bpmn", ".bpmn20.xml")


def diagram_files(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the diagrams inside directories (recursively, sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def form_ids(forms_dir: str | Path | None) -> set[str]:
    """Ids of the Camunda Forms in ``forms_dir`` (the ``id`` field of each ``*.form``)."""
    ids: set[str] = set()
    if not forms_dir or not Path(forms_dir).is_dir():
        return ids
    for path in Path(forms_dir).glob("*.form"):
        try:
            form_id = json.loads(path.read_text(encoding="utf-8")).get("id")
        except (OSError, ValueError, AttributeError):
            continue  # an unreadable form is reported by the forms check, not here
        if isinstance(form_id, str) and form_id:
            ids.add(form_id)
    return ids


def read_limited(path: Path) -> bytes:
    # Read one byte past the limit so the validator can say "too large" without loading a huge file.
    with path.open("rb") as handle:
        return handle.read(safe_xml.MAX_BYTES + 1)


def process_keys(files: Iterable[Path]) -> dict[Path, set[str]]:
    """Executable process ids per file, so call activities may name a process in a sibling file."""
    keys: dict[Path, set[str]] = {}
    for path in files:
        try:
            root = safe_xml.parse_xml(read_limited(path)).getroot()
            keys[path] = {p.get("id") for p in executable_processes(root) if p.get("id")}
        except (OSError, safe_xml.XmlError):
            keys[path] = set()
    return keys


def _verdicts(paths: tuple[Path, ...]):
    from app.extensions import db
    from app.workflow import deployment

    files = diagram_files(paths)
    keys = process_keys(files)
    results = []
    for path in files:
        siblings = set().union(*(k for p, k in keys.items() if p != path))
        try:
            data = read_limited(path)
        except OSError as exc:
            results.append((path, None, None, f"{path}: cannot read: {exc.strerror or exc}"))
            continue
        verdict = deployment.check(db.session, data, str(path), sibling_keys=siblings)
        results.append((path, data, verdict, None))
    return files, keys, results


def _report(results) -> int:
    refused = 0
    for path, _data, verdict, error in results:
        if error:
            click.echo(error)
            refused += 1
        elif verdict.ok:
            click.echo(f"{path}: ok (process {verdict.diagram.key})")
        else:
            refused += 1
            for problem in verdict.problems:
                click.echo(str(problem))
    return refused


@bpmn_cli.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def validate_command(paths: tuple[Path, ...]) -> None:
    """Check diagrams (and their forms) as deploy would: print each problem, exit 1 if any is refused."""
    files, _keys, results = _verdicts(paths)
    if not files:
        click.echo("no .bpmn files found", err=True)
        return
    refused = _report(results)
    click.echo(f"{len(files)} file(s), {refused} refused", err=True)
    if refused:
        raise SystemExit(1)


def callees_first(results: list, keys: dict[Path, set[str]]) -> list:
    """Deploy order: a file after the sibling files whose processes it calls, so that its version
    pins theirs (callees.py). Files in a calling cycle keep their order (deploy then says why)."""
    pending, ordered, deployed = list(results), [], set()
    while pending:
        ready = [r for r in pending
                 if not ({k for p, ks in keys.items() if p != r[0] for k in ks} - deployed)
                 & r[2].diagram.unresolved_calls]
        ready = ready or pending[:1]
        for result in ready:
            pending.remove(result)
            ordered.append(result)
            deployed |= keys.get(result[0], set())
    return ordered


@bpmn_cli.command("deploy")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def deploy_command(paths: tuple[Path, ...]) -> None:
    """Validate and deploy: all files or none. A changed diagram becomes a new version; an
    unchanged one is not redeployed."""
    from app.extensions import db
    from app.security import SYSTEM
    from app.workflow import deployment

    files, keys, results = _verdicts(paths)
    if not files:
        click.echo("no .bpmn files found", err=True)
        return
    refused = sum(1 for _p, _d, verdict, error in results if error or not verdict.ok)
    if refused:
        _report(results)
        click.echo(f"nothing deployed: {refused} of {len(files)} file(s) refused", err=True)
        raise SystemExit(1)
    for path, data, _verdict, _error in callees_first(results, keys):
        siblings = set().union(*(k for p, k in keys.items() if p != path))
        result = deployment.deploy(db.session, SYSTEM, data, path.name, sibling_keys=siblings)
        state = "deployed" if result.created else "unchanged"
        click.echo(f"{path}: {state} {result.definition.key} v{result.definition.version}")
    db.session.commit()
