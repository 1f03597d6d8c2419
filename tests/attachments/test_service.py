"""The store's service functions: names, require_attachments as other domains call it."""
from __future__ import annotations

import io

import pytest

from app.attachments import service
from app.errors import ValidationFailed
from app.extensions import db
from tests import builders
from tests.attachments.conftest import PDF


@pytest.mark.parametrize("name", ["..\\..\\boot.pdf", "../x.pdf", "C:\\a.pdf", "x\x00.pdf", " . ", ""])
def test_the_service_refuses_any_name_with_a_path(people, name):
    with pytest.raises(ValidationFailed) as refused:
        service.upload(db.session, builders.actor(people["unit"]), filename=name, stream=io.BytesIO(PDF))
    assert "file" in refused.value.fields


def test_long_names_keep_their_extension(people):
    attachment = service.upload(db.session, builders.actor(people["unit"]), filename="长" * 300 + ".pdf",
                                stream=io.BytesIO(PDF))
    assert len(attachment.original_name) == 120 and attachment.original_name.endswith(".pdf")


def test_require_attachments_accepts_visible_ids_in_any_written_form(people):
    unit = builders.actor(people["unit"])
    first = service.upload(db.session, unit, filename="a.pdf", stream=io.BytesIO(PDF))
    second = service.upload(db.session, unit, filename="b.pdf", stream=io.BytesIO(PDF))
    db.session.commit()
    a, b = first.id, second.id
    for ids in ([a, b], f"{a}, {b}", f"{a}，{b}", f"{a} {b}"):
        assert [a.id for a in service.require_attachments(db.session, unit, ids)] == [first.id, second.id]
    assert service.require_attachments(db.session, unit, "") == []


def test_require_attachments_refuses_missing_foreign_and_malformed_ids(people):
    mine = service.upload(db.session, builders.actor(people["unit"]), filename="a.pdf", stream=io.BytesIO(PDF))
    theirs = service.upload(db.session, builders.actor(people["hp_unit"]), filename="b.pdf", stream=io.BytesIO(PDF))
    db.session.commit()
    unit = builders.actor(people["unit"])
    for ids, reason in (([mine.id, theirs.id], f"No such attachment: {theirs.id}."),
                        ([999999], "No such attachment: 999999."),
                        ("1; drop", "List attachment numbers, e.g. 3, 5."),
                        ([], "Attach at least 1 document(s).")):
        with pytest.raises(ValidationFailed) as refused:
            service.require_attachments(db.session, unit, ids, field="evidence", at_least=1)
        assert refused.value.fields == {"evidence": [reason]}
