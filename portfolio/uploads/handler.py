"""Django's upload handler for evidence: files stream to disk and stop at the size limit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Streams uploads to disk, keeping nothing of a file past the limit so none can fill it."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.exceeded_limit = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.exceeded_limit:
            return
        if self.received > settings.EVIDENCE_MAX_FILE_BYTES:
            self.exceeded_limit = True
            # The file will be refused, so give back the disk space it has used already.
            self.file.seek(0)
            self.file.truncate()
            return
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> UploadedFile:
        uploaded = super().file_complete(file_size)
        uploaded.size = self.received
        uploaded.exceeded_limit = self.exceeded_limit
        return uploaded
