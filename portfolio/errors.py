"""The refusals a person can meet, each carrying a message that says what to do next.

Views catch these and show `.message`; nothing else about them reaches the page.
"""

from __future__ import annotations


class ActionRefused(Exception):
    """A change the rules do not allow; the message tells the person why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UploadRefused(Exception):
    """A file we will not keep; .message says why in words a learner understands."""

    def __init__(self, filename: str, message: str) -> None:
        super().__init__(f"{filename}: {message}")
        self.filename = filename
        self.message = message
