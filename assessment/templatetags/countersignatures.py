"""The portfolio page's panel of IQA countersignatures, with the IQA's buttons to add one.

A tag rather than view context so the page's view stays as it is; one query."""

from __future__ import annotations

from typing import Any

from django import template

from assessment.access import is_iqa_at
from assessment.models import Countersignature

register = template.Library()


@register.inclusion_tag("assessment/_countersignatures.html", takes_context=True)
def countersignatures_panel(context: template.Context) -> dict[str, Any]:
    portfolio = context["portfolio"]
    units = context.get("units") or []
    countersignatures = list(
        Countersignature.objects.filter(portfolio=portfolio)
        .select_related("unit", "signed_by", "revoked_by")
        .prefetch_related("signed_by__credentials")
        .order_by("signed_at", "pk")
    )
    active_units = {c.unit_id for c in countersignatures if c.revoked_at is None}
    iqa = is_iqa_at(context["user"], portfolio)
    return {
        "portfolio": portfolio,
        "countersignatures": countersignatures,
        "can_countersign": iqa,
        # Offered to the centre's IQAs; the countersign page says if it is their own work.
        "units_to_countersign": [
            unit.unit
            for unit in units
            if iqa and unit.sign_off and unit.unit.pk not in active_units
        ],
        "portfolio_to_countersign": iqa and context.get("complete") and None not in active_units,
    }
