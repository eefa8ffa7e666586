"""Byte counts in the words refusals use, so every limit reads the same to a learner."""

from __future__ import annotations


def describe_bytes(count: int) -> str:
    """Sizes as a learner reads them on their phone."""
    megabytes = count / (1024 * 1024)
    if megabytes >= 1024:
        return (
            f"{megabytes / 1024:.0f} GB" if megabytes % 1024 == 0 else f"{megabytes / 1024:.1f} GB"
        )
    if megabytes >= 1:
        return f"{megabytes:.0f} MB" if megabytes == round(megabytes) else f"{megabytes:.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count} bytes"
