"""The attachments page: upload with the CSRF token, the number to put in a form, downloads, errors."""
from __future__ import annotations

import io

from tests.attachments.conftest import EXE, PDF
from tests.conftest import csrf_from


def test_upload_page_lists_and_downloads(client, auth, people):
    auth.login("xh.unit")
    page = client.get("/attachments/")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/attachments/", data={"csrf_token": token, "file": (io.BytesIO(PDF), "方案.pdf")},
                           content_type="multipart/form-data", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="created"' in html and "方案.pdf" in html
    download = client.get("/attachments/1/download")
    assert download.data == PDF and download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")


def test_a_refused_upload_shows_the_reason_next_to_the_field(client, auth, people, store):
    auth.login("xh.unit")
    token = csrf_from(client.get("/attachments/").get_data(as_text=True))
    response = client.post("/attachments/", data={"csrf_token": token, "file": (io.BytesIO(EXE), "setup.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert 'data-testid="file-error"' in response.get_data(as_text=True)
    assert not store.exists() or not any(p.is_file() for p in store.rglob("*"))


def test_without_the_csrf_token_nothing_is_uploaded(client, auth, people):
    auth.login("xh.unit")
    response = client.post("/attachments/", data={"file": (io.BytesIO(PDF), "a.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code in (400, 403)


def test_another_districts_download_is_404(client, auth, uploads):
    meta = uploads.upload("xh.unit", "plan.pdf", PDF).get_json()
    auth.login("hp.unit")
    assert client.get(f"/attachments/{meta['id']}/download").status_code == 404
