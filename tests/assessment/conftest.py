"""Fixtures for the assessor and IQA half: people the shared cast does not hold."""

from __future__ import annotations

import pytest

from accounts.models import Centre, Role, User
from tests.cast import person


@pytest.fixture
def sam(centre: Centre) -> User:
    """Another assessor at Amy's centre, not assigned to her."""
    return person(centre, "Sam Shah", Role.ASSESSOR)


@pytest.fixture
def olu(other_centre: Centre) -> User:
    """An IQA at another centre."""
    return person(other_centre, "Olu Adeyemi", Role.IQA)
