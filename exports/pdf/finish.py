"""The last touch before signing: what a reader and an archive read about the document.

The document information and matching XMP metadata (title, author, subject), the language
(`/Lang`, so a screen reader speaks it in British English), the title shown in the reader's
title bar instead of the file name, and the bookmarks panel open. The document is tagged
when its parts were (exports.pdf.assemble says so in `/MarkInfo`); it claims nothing more:
it is not PDF/A and does not say it is. Saved by qpdf with object streams, which keeps the
file small.
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Name, Pdf

LANGUAGE = "en-GB"
PRODUCER = "Evidence portfolio"


def finish(document: Pdf, *, title: str, author: str, subject: str) -> bytes:
    document.Root.Lang = pikepdf.String(LANGUAGE)
    preferences = document.Root.get("/ViewerPreferences", pikepdf.Dictionary())
    preferences.DisplayDocTitle = True
    document.Root.ViewerPreferences = preferences
    document.Root.PageMode = Name.UseOutlines
    document.docinfo.Title = title
    document.docinfo.Author = author
    document.docinfo.Subject = subject
    document.docinfo.Creator = PRODUCER
    with document.open_metadata(set_pikepdf_as_editor=False) as metadata:
        metadata["dc:title"] = title
        metadata["dc:creator"] = [author]
        metadata["dc:description"] = subject
        metadata["dc:language"] = [LANGUAGE]
        metadata["pdf:Producer"] = PRODUCER
        metadata["xmp:CreatorTool"] = PRODUCER
    output = io.BytesIO()
    document.save(
        output, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate
    )
    return output.getvalue()
