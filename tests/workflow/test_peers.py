"""The OMG MIWG reference models (peers/README.md): each gets a clear verdict, never a traceback or a hang."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.accounts.roles import ROLES
from app.workflow.validation import validate_diagram

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "peers" / "bpmn-miwg-reference"
FILES = sorted(CORPUS.glob("*.bpmn")) if CORPUS.is_dir() else []

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent")


def test_the_corpus_is_there():
    assert len(FILES) >= 20


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_reference_model_gets_a_verdict(path):
    started = time.monotonic()
    verdict = validate_diagram(path.read_bytes(), path.name, form_exists=lambda form_id: False,
                               topics=frozenset(), roles=ROLES)
    assert time.monotonic() - started < 5
    if verdict.ok:
        assert verdict.problems == [] and verdict.diagram is not None
        return
    assert verdict.problems and verdict.diagram is None
    for problem in verdict.problems:
        assert problem.file == path.name
        assert problem.reason and "Traceback" not in problem.reason and "\n" not in problem.reason
        assert str(problem).startswith(path.name)
    assert any(problem.element_id for problem in verdict.problems) or all(
        problem.file == path.name for problem in verdict.problems)
