"""Attachments: documents any process refers to by id (plans, reports, evidence).

The bytes live outside the web root (``ATTACHMENTS_DIR``, default ``instance/attachments/``) under a
generated name; the row keeps the user's file name only as sanitised metadata, never as a path.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db, utcnow
from app.security import TenantScoped


class Attachment(TenantScoped, db.Model):
    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_tenant_purpose", "tenant_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A uuid4 hex: the only name the file has on disk; never derived from what the user sent.
    storage_name: Mapped[str] = mapped_column(String(32), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))  # the sniffed type: pdf, png, jpeg, docx, xlsx, txt, csv
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    purpose: Mapped[str] = mapped_column(String(64), default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
