"""Workplace prose for large demo portfolios: readable, varied, and the same for the same seed."""

from __future__ import annotations

import random

SUBJECTS = [
    "I",
    "The client",
    "My supervisor",
    "The team",
    "The care plan",
    "The risk assessment",
    "The family",
    "A colleague",
    "The shift leader",
    "The handover",
]
VERBS = [
    "checked",
    "explained",
    "recorded",
    "reviewed",
    "agreed",
    "discussed",
    "supported",
    "observed",
    "updated",
    "reported",
    "followed",
    "prepared",
]
OBJECTS = [
    "the moving and handling procedure",
    "the medication record",
    "the client's preferences for personal care",
    "the infection control checklist",
    "the safeguarding policy",
    "the fluid and nutrition chart",
    "the hoist and sling before use",
    "the consent given for the activity",
    "the incident in the daily log",
    "how the equipment should be cleaned",
    "the communication needs of the client",
    "the escalation route for concerns",
]
ENDINGS = [
    "before starting the task",
    "with the client present",
    "as the policy requires",
    "and signed the record",
    "during the morning shift",
    "so the next shift knew what had changed",
    "in line with the care plan",
    "and asked for feedback afterwards",
    "to keep the client safe",
    "with my assessor watching",
]
TOPICS = [
    "Supporting a client to move safely",
    "Administering medication",
    "Personal care routine",
    "Infection prevention",
    "Safeguarding concern raised",
    "Team handover",
    "Mealtime support",
    "Person-centred care review",
    "Record keeping audit",
    "Equipment checks",
    "Communication with family",
    "Reflection on a difficult shift",
]


def sentence(chance: random.Random) -> str:
    """One plausible sentence about a care shift."""
    return (
        f"{chance.choice(SUBJECTS)} {chance.choice(VERBS)} {chance.choice(OBJECTS)} "
        f"{chance.choice(ENDINGS)}."
    )


def paragraphs(chance: random.Random, count: int, sentences: tuple[int, int] = (4, 7)) -> str:
    """Paragraphs of sentences, so descriptions and commentaries fill pages as real ones do."""
    return "\n\n".join(
        " ".join(sentence(chance) for _ in range(chance.randint(*sentences))) for _ in range(count)
    )
