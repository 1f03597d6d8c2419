"""What other domains call: the go-live rule of formal opening (M.30)."""
from __future__ import annotations

from app.onboarding.golive import is_complete, require_complete

__all__ = ["is_complete", "require_complete"]
