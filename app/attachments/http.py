"""The one way attachment bytes leave the server (API and pages): always as a download."""
from __future__ import annotations

from pathlib import Path

from flask import Response, send_file

from app.attachments.models import Attachment


def download(attachment: Attachment, path: Path) -> Response:
    response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_name, max_age=0, conditional=False, etag=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
