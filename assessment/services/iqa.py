"""The internal quality assurer's actions: a verdict on a sampled decision, and the centre's
sampling rates."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from accounts.models import User
from accounts.notifications import notify
from assessment.access import is_iqa, is_iqa_at
from assessment.models import Decision, IqaAgreement, IqaReview, Outcome, SamplingRate
from assessment.selectors import centre_assessors
from assessment.services.decisions import record_reopening
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.models import Mapping, MappingStatus


@transaction.atomic
def iqa_review_record(*, actor: User, decision: Decision, verdict: str, feedback: str) -> IqaReview:
    """Agree or disagree with a sampled decision; a disagreement reopens the mapping."""
    decision = Decision.objects.select_related(
        "mapping__criterion__unit", "mapping__evidence__portfolio__assessor", "decided_by"
    ).get(pk=decision.pk)
    mapping = Mapping.objects.select_for_update(of=("self",)).get(pk=decision.mapping_id)
    portfolio = decision.mapping.evidence.portfolio
    if not is_iqa_at(actor, portfolio):
        raise ActionRefused("Only an internal quality assurer at this centre can sample decisions.")
    if decision.decided_by_id == actor.pk:
        raise ActionRefused("You cannot sample your own decisions; another IQA must review them.")
    if decision.outcome not in (Outcome.ACCEPTED, Outcome.REFERRED):
        raise ActionRefused("Only accept and refer decisions are sampled.")
    if IqaReview.objects.filter(decision=decision).exists():
        raise ActionRefused("This decision has already been sampled.")
    if verdict not in IqaAgreement.values:
        raise ActionRefused("Choose agree or disagree.")
    feedback = feedback.strip()
    if verdict == IqaAgreement.DISAGREE and not feedback:
        raise ActionRefused("Tell the assessor why you disagree: a disagreement needs feedback.")
    review = IqaReview.objects.create(
        decision=decision, reviewer=actor, verdict=verdict, feedback=feedback
    )
    reopened = None
    latest = mapping.decisions.order_by("-decided_at", "-pk").first()
    still_current = (
        latest is not None
        and latest.pk == decision.pk
        and mapping.status
        in (
            MappingStatus.ACCEPTED,
            MappingStatus.REFERRED,
        )
    )
    if verdict == IqaAgreement.DISAGREE and still_current:
        mapping.evidence = decision.mapping.evidence
        mapping.criterion = decision.mapping.criterion
        reopened, _ = record_reopening(
            actor=actor, mapping=mapping, reason=f"IQA disagreed: {feedback}"
        )
    audit_record(
        actor=actor,
        action="iqa.review",
        obj=review,
        portfolio=portfolio,
        changes={
            "decision": decision.pk,
            "verdict": verdict,
            "feedback": feedback,
            "mapping_reopened": reopened is not None,
        },
    )
    verb = "agreed" if verdict == IqaAgreement.AGREE else "disagreed"
    criterion = decision.mapping.criterion.reference
    back = " It is back in your queue." if reopened else ""
    link = reverse("assessment:evidence_review", args=[decision.mapping.evidence_id])
    notify(
        recipient=decision.decided_by,
        message=f"{actor} {verb} with your decision on criterion {criterion} for "
        f"{portfolio.learner}.{back if portfolio.assessor_id == decision.decided_by_id else ''}",
        link=link,
    )
    if reopened and portfolio.assessor_id and portfolio.assessor_id != decision.decided_by_id:
        # The mapping goes back to whoever assesses the portfolio now.
        notify(
            recipient=portfolio.assessor,
            message=f"{actor} reopened criterion {criterion} for {portfolio.learner}.{back}",
            link=link,
        )
    return review


@transaction.atomic
def sampling_rates_set(
    *,
    actor: User,
    default: int,
    by_assessor: dict[int, int | None],
    by_unit: dict[int, int | None],
) -> None:
    """Replace the centre's sampling rates; an empty per-assessor or per-unit rate removes it."""
    if not is_iqa(actor):
        raise ActionRefused("Only internal quality assurers set sampling rates.")
    rates = [default, *by_assessor.values(), *by_unit.values()]
    if any(rate is not None and not 0 <= rate <= 100 for rate in rates):
        raise ActionRefused("Each rate is a percentage from 0 to 100.")
    known = set(
        centre_assessors(actor.centre_id)
        .filter(pk__in=list(by_assessor))
        .values_list("pk", flat=True)
    )
    if set(by_assessor) - known:
        raise ActionRefused("Rates can be set only for assessors at your centre.")
    centre_rates = SamplingRate.objects.filter(centre_id=actor.centre_id)
    before = {str(r): r.percent for r in centre_rates.select_related("assessor", "unit")}
    centre_rates.delete()
    SamplingRate.objects.create(centre_id=actor.centre_id, percent=default)
    for assessor_id, percent in by_assessor.items():
        if percent is not None:
            SamplingRate.objects.create(
                centre_id=actor.centre_id, assessor_id=assessor_id, percent=percent
            )
    for unit_id, percent in by_unit.items():
        if percent is not None:
            SamplingRate.objects.create(centre_id=actor.centre_id, unit_id=unit_id, percent=percent)
    audit_record(
        actor=actor,
        action="sampling.rates",
        obj=actor.centre,
        portfolio=None,
        changes={
            "before": before,
            "after": {
                "default": default,
                "assessors": {str(k): v for k, v in by_assessor.items() if v is not None},
                "units": {str(k): v for k, v in by_unit.items() if v is not None},
            },
        },
    )
