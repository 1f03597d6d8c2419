"""Attachment tests: the store in a temporary folder, people of two districts."""
from __future__ import annotations

import io
import zipfile

import pytest

from tests import builders

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def office(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<x/>")
    return buffer.getvalue()


@pytest.fixture()
def store(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    return tmp_path / "attachments"


@pytest.fixture()
def people(db, store):
    xh_health = builders.organisation(kind="district_unit", tenant="xuhui", code="xuhui.health", name="徐汇区卫健委")
    xh_edu = builders.organisation(kind="district_unit", tenant="xuhui", code="xuhui.edu", name="徐汇区教育局")
    hp_health = builders.organisation(kind="district_unit", tenant="huangpu", code="huangpu.health",
                                      name="黄浦区卫健委")
    return {
        "unit": builders.user("xh.unit", roles="unit", org=xh_health),
        "colleague": builders.user("xh.unit2", roles="unit", org=xh_health),
        "other_unit": builders.user("xh.edu", roles="unit", org=xh_edu),
        "xh_operator": builders.user("xh.operator", roles="district.operator", tenant="xuhui"),
        "hp_unit": builders.user("hp.unit", roles="unit", org=hp_health),
        "hp_operator": builders.user("hp.operator", roles="district.operator", tenant="huangpu"),
        "bdc": builders.user("bdc1", roles="bdc"),
    }


class Uploads:
    def __init__(self, client, auth):
        self.client, self.auth, self._headers = client, auth, {}

    def headers(self, username: str) -> dict[str, str]:
        if username not in self._headers:
            self._headers[username] = self.auth.headers(username)
        return self._headers[username]

    def upload(self, username: str, name: str, data: bytes, purpose: str = ""):
        return self.client.post("/api/v1/attachments", headers=self.headers(username),
                                data={"file": (io.BytesIO(data), name), "purpose": purpose},
                                content_type="multipart/form-data")

    def get(self, username: str, path: str):
        return self.client.get(f"/api/v1{path}", headers=self.headers(username))


@pytest.fixture()
def uploads(client, auth, people):
    return Uploads(client, auth)
