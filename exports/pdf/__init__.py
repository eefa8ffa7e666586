"""The printable PDF portfolio: gathered, rendered in sections, assembled, stamped, kept."""
