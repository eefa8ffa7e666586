"""The last touch before signing: what a reader and an archive read about the document.

The language (`/Lang`, so a screen reader speaks it in British English), the title shown in
the reader's title bar instead of the file name, and XMP metadata matching the document
information. It claims nothing more: the sections are assembled from separately rendered
parts, so the file is not tagged and not PDF/A, and says neither. Saved by qpdf with object
streams, which makes the file smaller again.
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Name

LANGUAGE = "en-GB"


def finish(pdf: bytes, *, title: str, author: str, subject: str) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        document.Root.Lang = pikepdf.String(LANGUAGE)
        preferences = document.Root.get("/ViewerPreferences", pikepdf.Dictionary())
        preferences.DisplayDocTitle = True
        document.Root.ViewerPreferences = preferences
        with document.open_metadata(set_pikepdf_as_editor=False) as metadata:
            metadata["dc:title"] = title
            metadata["dc:creator"] = [author]
            metadata["dc:description"] = subject
            metadata["dc:language"] = [LANGUAGE]
            metadata["pdf:Producer"] = "Evidence portfolio"
        document.Root.PageMode = Name.UseOutlines
        output = io.BytesIO()
        document.save(
            output, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate
        )
        return output.getvalue()
