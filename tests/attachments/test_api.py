"""The attachment store through the API: what is refused, and a good file round-tripping byte for byte."""
from __future__ import annotations

import hashlib

import pytest

from tests.attachments.conftest import EXE, PDF, PNG, office


def stored_files(store) -> list:
    return [p for p in store.rglob("*") if p.is_file()] if store.exists() else []


def test_a_pdf_round_trips_byte_for_byte_and_downloads_safely(uploads, store):
    response = uploads.upload("xh.unit", "建设方案 v2.pdf", PDF, purpose="plan")
    assert response.status_code == 201, response.get_json()
    meta = response.get_json()
    assert (meta["name"], meta["kind"], meta["size"], meta["tenant"], meta["purpose"]) == (
        "建设方案 v2.pdf", "pdf", len(PDF), "xuhui", "plan")
    assert meta["sha256"] == hashlib.sha256(PDF).hexdigest()

    [path] = stored_files(store)
    assert path.read_bytes() == PDF
    assert "建设方案" not in str(path) and len(path.name) == 32 and path.parent.parent == store  # generated name

    download = uploads.get("xh.unit", f"/attachments/{meta['id']}/content")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Type"] == "application/pdf"
    assert "no-store" in download.headers["Cache-Control"]
    assert uploads.get("xh.unit", f"/attachments/{meta['id']}").get_json()["name"] == "建设方案 v2.pdf"


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("scan.PNG", PNG, "png"), ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpeg"),
    ("plan.docx", office("word/document.xml"), "docx"), ("budget.xlsx", office("xl/workbook.xml"), "xlsx"),
    ("list.csv", "单位,数量\n徐汇,3\n".encode("gb18030"), "csv"), ("notes.txt", "检查记录\r\n".encode(), "txt"),
])
def test_each_allowed_type_is_accepted_by_its_content(uploads, name, data, kind):
    response = uploads.upload("xh.unit", name, data)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["kind"] == kind


@pytest.mark.parametrize(("name", "data"), [
    ("setup.pdf", EXE),  # an .exe renamed .pdf
    ("setup.exe", EXE),  # a type not allowed at all
    ("plan.docx", office("xl/workbook.xml")),  # a zip that is not a Word document
    ("plan.docx", b"PK\x03\x04not really a zip"),
    ("notes.txt", b"text\x00with NUL"),
    ("image.png", PDF),
    ("noextension", PDF),
])
def test_wrong_types_are_refused_and_nothing_is_stored(uploads, store, name, data):
    response = uploads.upload("xh.unit", name, data)
    assert response.status_code == 422
    body = response.get_json()["error"]
    assert body["code"] == "file_refused" and body["fields"]["file"]
    assert stored_files(store) == []


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "/etc/x.pdf", "..", "a/b.pdf", "....//x.pdf"])
def test_names_with_a_path_are_refused(uploads, store, name):
    response = uploads.upload("xh.unit", name, PDF)
    assert response.status_code == 422, response.get_json()
    assert "file" in response.get_json()["error"]["fields"]
    assert stored_files(store) == []


@pytest.mark.parametrize("name", ["..\\..\\boot.pdf", "C:\\temp\\a.pdf"])
def test_windows_paths_never_reach_the_disk(uploads, store, name):
    """Werkzeug keeps only the part after the last backslash (old browsers sent full paths); the
    service itself refuses a backslash (tests/attachments/test_service.py). Either way the disk
    holds a generated name only."""
    response = uploads.upload("xh.unit", name, PDF)
    if response.status_code == 201:
        assert "\\" not in response.get_json()["name"] and ".." not in response.get_json()["name"]
    else:
        assert response.status_code == 422
    assert all(len(p.name) == 32 for p in stored_files(store))


def test_odd_characters_are_sanitised_in_the_metadata(uploads):
    meta = uploads.upload("xh.unit", "a<b>:c|d?.pdf", PDF).get_json()
    assert meta["name"] == "a_b__c_d_.pdf"


def test_oversized_files_are_refused(app, uploads, store, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024)
    response = uploads.upload("xh.unit", "big.pdf", PDF + b"0" * 1024)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "file_too_large"
    assert stored_files(store) == []
    assert uploads.upload("xh.unit", "small.pdf", PDF).status_code == 201


def test_a_request_above_the_request_limit_is_413(app, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = uploads.upload("xh.unit", "big.pdf", PDF + b"0" * 4096)
    assert response.status_code == 413


def test_another_tenants_attachment_is_absent(uploads):
    meta = uploads.upload("xh.unit", "plan.pdf", PDF).get_json()
    for who in ("hp.unit", "hp.operator"):
        for path in (f"/attachments/{meta['id']}", f"/attachments/{meta['id']}/content"):
            response = uploads.get(who, path)
            missing = uploads.get(who, path.replace(str(meta["id"]), "999999"))
            assert (response.status_code, response.get_json()["error"]["code"]) == (404, "not_found")
            assert (missing.status_code, missing.get_json()["error"]["code"]) == (404, "not_found")
        assert uploads.get(who, "/attachments").get_json() == []


def test_within_a_district_units_see_their_own_organisations_and_overseers_see_all(uploads):
    meta = uploads.upload("xh.unit", "plan.pdf", PDF).get_json()
    assert uploads.get("xh.unit2", f"/attachments/{meta['id']}").status_code == 200  # same unit
    assert uploads.get("xh.edu", f"/attachments/{meta['id']}").status_code == 404  # another unit
    assert uploads.get("xh.operator", f"/attachments/{meta['id']}").status_code == 200
    assert uploads.get("bdc1", f"/attachments/{meta['id']}/content").data == PDF


def test_missing_file_field_is_a_field_error(uploads):
    response = uploads.client.post("/api/v1/attachments", headers=uploads.headers("xh.unit"), data={},
                                   content_type="multipart/form-data")
    assert response.status_code == 422 and "file" in response.get_json()["error"]["fields"]
