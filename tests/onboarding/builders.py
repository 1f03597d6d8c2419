"""Builders for the onboarding areas, usable from other test folders."""
from __future__ import annotations

from app.extensions import db
from app.onboarding.models import COMPLETE, GoLiveCheck


def golive_complete(project_id: int, tenant_id: str) -> GoLiveCheck:
    """M.30: mark the project's go-live security complete, as if its process had finished (for tests of
    the resource chain that reach formal opening; the process itself is tested in tests/onboarding)."""
    check = GoLiveCheck(tenant_id=tenant_id, number=f"SX-TEST-{project_id:06d}", project_id=project_id,
                        status=COMPLETE, requested_by="test", commitment_text="上云安全承诺书", signed_by="test")
    db.session.add(check)
    db.session.commit()
    return check
