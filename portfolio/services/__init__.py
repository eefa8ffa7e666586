"""Every change to evidence, its files and its mappings happens here.

Each function takes keyword-only arguments, runs in one transaction, checks the state it
starts from (raising ActionRefused with a message for the learner if the change is not
allowed), saves only the fields it changes and writes one audit entry. They live by area in
evidence.py, files.py, mappings.py and messages.py; callers use them from here.
"""

from __future__ import annotations

from portfolio.services.evidence import evidence_create, evidence_delete, evidence_update
from portfolio.services.files import evidence_file_add, evidence_file_delete
from portfolio.services.mappings import (
    mapping_delete,
    mapping_submit,
    mapping_update_and_submit,
    mapping_update_commentary,
    mapping_withdraw,
    mappings_create,
    mappings_submit_all,
)
from portfolio.services.messages import message_post

__all__ = [
    "evidence_create",
    "evidence_delete",
    "evidence_file_add",
    "evidence_file_delete",
    "evidence_update",
    "mapping_delete",
    "mapping_submit",
    "mapping_update_and_submit",
    "mapping_update_commentary",
    "mapping_withdraw",
    "mappings_create",
    "mappings_submit_all",
    "message_post",
]
