"""The attachment store: upload (size, type and name checked), read, download, and the check other
domains call on ids a form or an API body names (``require_attachments``).

Visibility is the tenant rule (``scoped``) and, for people whose only roles are ``unit`` or
``vendor``, their own organisation's uploads: a colleague unit's evidence is not theirs to read.
Another tenant's attachment answers exactly like a missing one. Services flush; the edge commits.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import false
from sqlalchemy.orm import Session

from app.accounts.roles import ROLES
from app.attachments import sniff, storage
from app.attachments.models import Attachment
from app.errors import NotFound, ValidationFailed
from app.projects import service as projects_service
from app.security import Actor, require_role, scoped

OWN_ORGANISATION_ONLY = frozenset({"unit", "vendor"})
HEAD = 512
_IDS = re.compile(r"^\s*\d+(\s*[,，\s]\s*\d+)*\s*$")


def _own_only(actor: Actor) -> bool:
    return not actor.is_system and bool(actor.roles) and actor.roles <= OWN_ORGANISATION_ONLY


def visible(session: Session, actor: Actor, *criteria: Any):
    stmt = scoped(actor, Attachment, *criteria)
    if not actor.is_system and not actor.roles:
        return stmt.where(false())
    if _own_only(actor):
        stmt = stmt.where(Attachment.organisation_id == projects_service.organisation_id(session, actor))
    return stmt


def upload(session: Session, actor: Actor, *, filename: str, stream: IO[bytes], purpose: str = "") -> Attachment:
    """Store one upload. Refused (422, field ``file``): too large, a type not allowed, content that
    does not match the extension, a name with a path in it."""
    require_role(actor, *ROLES)
    name = sniff.clean_name(filename)
    limit = int(current_app.config["ATTACHMENT_MAX_BYTES"])
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(_("The file cannot be accepted."), code="file_too_large", fields={
            "file": [_("The file is larger than %(kb)s KB.", kb=limit // 1024)]})
    if not data:
        raise ValidationFailed(_("The file cannot be accepted."), code="file_refused",
                               fields={"file": [_("The file is empty.")]})
    kind = sniff.kind_of(name, data[:HEAD], data, frozenset(current_app.config["ATTACHMENT_TYPES"]))
    attachment = Attachment(tenant_id=actor.tenant_id, storage_name=storage.save(data),
                            sha256=hashlib.sha256(data).hexdigest(), original_name=name, kind=kind,
                            content_type=sniff.CONTENT_TYPES[kind], size=len(data), purpose=purpose[:64],
                            organisation_id=projects_service.organisation_id(session, actor),
                            uploaded_by=actor.username)
    session.add(attachment)
    try:
        session.flush()
    except Exception:
        storage.remove(attachment.storage_name)  # no orphan file when the row cannot be written
        raise
    return attachment


def get(session: Session, actor: Actor, attachment_id: int) -> Attachment:
    attachment = session.scalar(visible(session, actor, Attachment.id == attachment_id))
    if attachment is None:
        raise NotFound(_("No such attachment."), code="not_found")
    return attachment


def content(session: Session, actor: Actor, attachment_id: int) -> tuple[Attachment, Path]:
    """The attachment and the path of its bytes, for the download views (never a user-chosen path)."""
    attachment = get(session, actor, attachment_id)
    path = storage.path_of(attachment.storage_name)
    if not path.is_file():
        raise NotFound(_("The attachment's file is missing."), code="file_missing")
    return attachment, path


def list_attachments(session: Session, actor: Actor, *, ids: Iterable[int] | None = None,
                     purpose: str | None = None, limit: int = 200) -> list[Attachment]:
    stmt = visible(session, actor)
    if ids is not None:
        stmt = stmt.where(Attachment.id.in_(list(ids)))
    if purpose:
        stmt = stmt.where(Attachment.purpose == purpose)
    return list(session.scalars(stmt.order_by(Attachment.id.desc()).limit(limit)))


def parse_ids(value: Any, *, field: str = "attachments") -> list[int]:
    """Attachment ids as forms and bodies carry them: a list of ints, or text like ``"3, 5"``."""
    if value in (None, "", []):
        return []
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return list(dict.fromkeys(value))
    elif isinstance(value, int) and not isinstance(value, bool):
        return [value]
    elif isinstance(value, str) and _IDS.match(value):
        return list(dict.fromkeys(int(v) for v in re.split(r"[,，\s]+", value.strip())))
    raise ValidationFailed(_("Some fields are invalid."), fields={field: [_("List attachment numbers, e.g. 3, 5.")]})


def require_attachments(session: Session, actor: Actor, ids: Any, *, field: str = "attachments",
                        at_least: int = 0) -> list[Attachment]:
    """For other domains: the attachments ``ids`` names, each existing and visible to ``actor``
    (an id of another tenant is reported like a missing one). 422 naming ``field`` otherwise."""
    wanted = parse_ids(ids, field=field)
    if len(wanted) < at_least:
        raise ValidationFailed(_("Some fields are invalid."),
                               fields={field: [_("Attach at least %(n)s document(s).", n=at_least)]})
    found = {a.id: a for a in list_attachments(session, actor, ids=wanted, limit=len(wanted) or 1)} if wanted else {}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationFailed(_("Some fields are invalid."), fields={field: [
            _("No such attachment: %(ids)s.", ids=", ".join(map(str, missing)))]})
    return [found[i] for i in wanted]
