"""Loading .form files as Camunda Modeler writes them, and the registry over a directory."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.forms import FormLoadError, FormNotFound, FormRegistry, check_form, load_form
from app.forms.model import MAX_DEPTH
from tests.forms import formdocs as fd

REPO_FORMS = Path(__file__).resolve().parents[2] / "forms"


def approval_doc(form_id: str = "approval", label: str = "审批意见") -> dict:
    return fd.document(
        form_id,
        fd.component("radio", "decision", "审批结果", values=fd.values(("同意", "approve"), ("驳回", "reject")),
                     validate={"required": True}),
        fd.component("textarea", "comment", label, validate={"required": True, "minLength": 2}),
        fd.component("button", None, "提交", action="submit"),
    )


def test_load_form_reads_a_modeler_file(tmp_path):
    path = fd.write(tmp_path, "approval.form", approval_doc())

    definition = load_form(path)

    assert definition.id == "approval"
    assert definition.schema_version == 16
    assert definition.source == str(path)
    assert [c.type for c in definition.components] == ["radio", "textarea", "button"]
    assert [c.key for c in definition.inputs()] == ["decision", "comment"]
    assert definition.components[1].label == "审批意见"
    assert definition.components[0].required is True
    assert len(definition.digest) == 64


def test_group_children_are_walked_in_form_order(tmp_path):
    doc = fd.document("grouped", fd.component("group", None, "申请", components=[
        fd.component("textfield", "a", "A"), fd.component("number", "b", "B")]), fd.component("checkbox", "c", "C"))
    definition = load_form(fd.write(tmp_path, "g.form", doc))

    assert [c.type for c in definition.walk()] == ["group", "textfield", "number", "checkbox"]
    assert [c.key for c in definition.inputs()] == ["a", "b", "c"]


@pytest.mark.parametrize(("content", "fragment"), [
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "must be a JSON object"),
    (b'{"type": "default", "components": []}', "needs an id"),
    (b'{"id": "x", "components": {}}', "components must be a list"),
    (b'{"id": "x", "components": [42]}', "components[0] must be a JSON object"),
])
def test_broken_files_raise_a_load_error_naming_the_file(tmp_path, content, fragment):
    path = tmp_path / "broken.form"
    path.write_bytes(content)

    with pytest.raises(FormLoadError) as caught:
        load_form(path)

    assert fragment in caught.value.reason
    assert str(path) in str(caught.value)


def test_too_deep_and_too_large_files_are_refused(tmp_path):
    nested: dict = fd.component("textfield", "x", "X")
    for _ in range(MAX_DEPTH + 2):
        nested = fd.component("group", None, "G", components=[nested])
    with pytest.raises(FormLoadError, match="nested"):
        load_form(fd.write(tmp_path, "deep.form", fd.document("deep", nested)))

    big = tmp_path / "big.form"
    big.write_text(json.dumps({"id": "big", "components": [], "pad": "x" * (1024 * 1024)}))
    with pytest.raises(FormLoadError, match="larger than"):
        load_form(big)


def test_missing_file_is_a_load_error(tmp_path):
    with pytest.raises(FormLoadError, match="cannot be read"):
        load_form(tmp_path / "absent.form")


def test_registry_lists_gets_and_caches(tmp_path):
    fd.write(tmp_path, "a.form", approval_doc("a"))
    fd.write(tmp_path, "b.form", approval_doc("b"))
    (tmp_path / "notes.txt").write_text("not a form")
    registry = FormRegistry(tmp_path)

    assert registry.ids() == ["a", "b"]
    first = registry.get("a")
    assert registry.get("a") is first  # unchanged file: not parsed again
    with pytest.raises(FormNotFound):
        registry.get("missing")
    assert registry.find("missing") is None


def test_registry_reloads_a_changed_file_and_forgets_a_removed_one(tmp_path):
    path = fd.write(tmp_path, "a.form", approval_doc("a", label="旧标签"))
    registry = FormRegistry(tmp_path)
    old = registry.get("a")

    fd.write(tmp_path, "a.form", approval_doc("a", label="新的审批意见标签"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # coarse clocks: force a new mtime
    new = registry.get("a")

    assert new is not old
    assert new.digest != old.digest
    assert new.components[1].label == "新的审批意见标签"

    path.unlink()
    assert registry.ids() == []


def test_registry_reports_broken_files_and_serves_the_rest(tmp_path):
    fd.write(tmp_path, "good.form", approval_doc("good"))
    (tmp_path / "bad.form").write_text("{oops")
    registry = FormRegistry(tmp_path)

    assert registry.ids() == ["good"]
    assert list(registry.errors()) == [str(tmp_path / "bad.form")]


def test_registry_serves_neither_of_two_files_with_one_id(tmp_path):
    fd.write(tmp_path, "one.form", approval_doc("same"))
    fd.write(tmp_path, "two.form", approval_doc("same"))
    registry = FormRegistry(tmp_path)

    assert registry.ids() == []
    errors = registry.errors()
    assert len(errors) == 2
    assert "two.form" in errors[str(tmp_path / "one.form")].reason


def test_registry_over_a_missing_directory_is_empty(tmp_path):
    assert FormRegistry(tmp_path / "nowhere").ids() == []


def test_current_registry_uses_forms_dir(app):
    from app.forms import current_registry

    with app.app_context():
        registry = current_registry()
        assert registry is current_registry()
        assert "example-approval" in registry.ids()


@pytest.mark.parametrize("path", sorted(REPO_FORMS.glob("*.form")), ids=lambda p: p.name)
def test_every_form_in_the_repository_loads_and_passes_the_check(path):
    definition = load_form(path)

    assert check_form(definition) == []
    assert path.stem == definition.id  # the file is named after the id the diagrams reference


def test_example_approval_has_the_agreed_fields():
    definition = load_form(REPO_FORMS / "example-approval.form")
    fields = {c.key: c for c in definition.inputs()}

    assert set(fields) == {"decision", "comment", "quantity"}
    assert fields["decision"].type == "radio"
    assert [v["value"] for v in fields["decision"].raw["values"]] == ["approve", "reject"]
    assert fields["comment"].validate == {"required": True, "minLength": 2, "maxLength": 2000}
    assert (fields["quantity"].validate["min"], fields["quantity"].validate["max"]) == (1, 1000)
