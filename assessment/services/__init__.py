"""Assessors' and IQAs' actions, by area: decisions, declarations and sign-offs, IQA, optional
units. Callers use `from assessment import services` and the names below."""

from __future__ import annotations

from assessment.services.countersignatures import (
    portfolio_countersign,
    portfolio_countersignature_wording,
    unit_countersign,
    unit_countersignature_wording,
)
from assessment.services.decisions import (
    DecisionConflict,
    DecisionRequest,
    Vacsr,
    mapping_reopen,
    mappings_decide,
)
from assessment.services.declarations import (
    assessor_declaration,
    learner_declaration,
    unit_declare,
    unit_sign_off,
)
from assessment.services.iqa import iqa_review_record, sampling_rates_set
from assessment.services.plans import (
    PlanItemContent,
    plan_item_create,
    plan_item_remove,
    plan_item_update,
    progress_review_create,
    progress_review_sign,
    review_wording,
)
from assessment.services.records import (
    RecordContent,
    acknowledgement_wording,
    record_acknowledge,
    record_create,
    record_update,
)
from assessment.services.units import choose_unit, remove_unit

__all__ = [
    "DecisionConflict",
    "DecisionRequest",
    "PlanItemContent",
    "RecordContent",
    "Vacsr",
    "acknowledgement_wording",
    "assessor_declaration",
    "choose_unit",
    "iqa_review_record",
    "learner_declaration",
    "mapping_reopen",
    "mappings_decide",
    "plan_item_create",
    "plan_item_remove",
    "plan_item_update",
    "portfolio_countersign",
    "portfolio_countersignature_wording",
    "progress_review_create",
    "progress_review_sign",
    "record_acknowledge",
    "record_create",
    "record_update",
    "remove_unit",
    "review_wording",
    "sampling_rates_set",
    "unit_countersign",
    "unit_countersignature_wording",
    "unit_declare",
    "unit_sign_off",
]
