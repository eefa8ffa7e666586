"""Checking evidence uploads: a file is accepted for what its bytes are, never for its name.

Images are decoded and re-encoded, so what is kept carries no location data or hidden
payload; PDFs and office documents are opened to prove they are whole; anything else that is
not plain text is refused with a message the learner can act on. `check_upload` is the way in;
Django streams files to disk through `handler.LimitedTemporaryFileUploadHandler` first.
"""

from __future__ import annotations

from portfolio.uploads.check import CheckedUpload, check_upload
from portfolio.uploads.names import clean_display_name
from portfolio.uploads.renditions import make_renditions

__all__ = ["CheckedUpload", "check_upload", "clean_display_name", "make_renditions"]
