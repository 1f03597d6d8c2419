"""An attachment of xuhui for the cross-tenant sweep (tests/foundation/test_isolation_sweep.py).
The row only: the sweep never reaches the bytes (another tenant's attachment is 404 before that)."""
from __future__ import annotations

from app.attachments.models import Attachment
from app.extensions import db
from tests import builders


def xuhui_attachment(client, auth) -> dict:
    unit = builders.user("xh.probe.attacher", roles="unit", tenant="xuhui")
    attachment = Attachment(tenant_id="xuhui", storage_name="0" * 32, sha256="0" * 64, original_name="plan.pdf",
                            kind="pdf", content_type="application/pdf", size=10, organisation_id=unit.organisation_id,
                            uploaded_by=unit.username)
    db.session.add(attachment)
    db.session.commit()
    return {"attachment_id": attachment.id}


PROBES = {
    "attachments_api.AttachmentById": xuhui_attachment,
    "attachments_api.AttachmentContent": xuhui_attachment,
}
BODIES: dict = {}
MISSING = {"attachment_id": 999999}
