"""Who may open a PDF export: anyone who can see its portfolio. Anything else is a 404."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.models import User
from exports.models import PortfolioExport


def get_export_for(user: User, pk: int) -> PortfolioExport:
    """An export of a portfolio the person can see, with what its pages show."""
    return get_object_or_404(
        PortfolioExport.objects.visible_to(user).select_related(
            "portfolio__learner", "portfolio__qualification", "unit", "requested_by"
        ),
        pk=pk,
    )
