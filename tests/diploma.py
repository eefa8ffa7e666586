"""The invented example diploma (EX-L3-RETAIL-DIP, fixtures/qualifications/example-retail-
diploma-v*.yaml) as tests use it: learners on its current version with optional units chosen,
criteria accepted and units signed off, built with the factories rather than the services so
that a test can set up any state directly, even one the services would refuse.

Its rules: 30 credits in all, at least 16 at Level 3; group A (A1, A2, A3, 12 credits)
mandatory; group B at least 10 credits; group C at most 8, C1 at most 3 and C2 at most 7;
B3 barred with C1A. A3 is graded (P1-P3, M1-M2, D1).
"""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import User
from assessment.models import UnitSignOff
from portfolio.models import Portfolio, UnitChoice
from qualifications.models import PASS_BANDS, AssessmentCriterion, Qualification, Unit
from tests.factories import EvidenceFactory, MappingFactory, PortfolioFactory

DIPLOMA = "EX-L3-RETAIL-DIP"
MANDATORY = ("EX-RET-A1", "EX-RET-A2", "EX-RET-A3")
# The choice the fixture's opening comment gives: 31 credits, 18 at Level 3.
DEMO_CHOICE = ("EX-RET-B1", "EX-RET-B2", "EX-RET-B4", "EX-RET-C1B", "EX-RET-C2A")


def current_diploma() -> Qualification:
    return Qualification.objects.current().get(reference=DIPLOMA)


def unit_of(portfolio: Portfolio, reference: str) -> Unit:
    """The unit with this reference in the portfolio's version of the diploma."""
    return portfolio.qualification.units.get(reference=reference)


def enrol(
    learner: User | None = None,
    assessor: User | None = None,
    optional: Iterable[str] = (),
    **extra: object,
) -> Portfolio:
    """A portfolio on the current diploma with these optional units chosen by the assessor."""
    fields = {"qualification": current_diploma(), "assessor": assessor, **extra}
    if learner is not None:
        fields["learner"] = learner
    portfolio = PortfolioFactory(**fields)
    for reference in optional:
        UnitChoice.objects.create(
            portfolio=portfolio,
            unit=unit_of(portfolio, reference),
            chosen_by=assessor or portfolio.learner,
        )
    return portfolio


def accept(portfolio: Portfolio, reference: str, numbers: Iterable[str] | None = None) -> None:
    """One piece of evidence mapped to the unit's criteria (`numbers`, or all its pass
    criteria) and accepted by the portfolio's assessor."""
    unit = unit_of(portfolio, reference)
    criteria = AssessmentCriterion.objects.filter(unit=unit)
    if numbers is None:
        criteria = criteria.filter(grade__in=PASS_BANDS)
    else:
        numbers = list(numbers)
        criteria = criteria.filter(number__in=numbers)
        assert criteria.count() == len(numbers), (reference, numbers)
    evidence = EvidenceFactory(portfolio=portfolio, title=f"For {reference}")
    for criterion in criteria:
        MappingFactory(evidence=evidence, criterion=criterion, accepted=True)


def sign_off(portfolio: Portfolio, *references: str) -> None:
    """Each unit's pass criteria accepted and the unit signed off by the assessor."""
    for reference in references:
        accept(portfolio, reference)
        UnitSignOff.objects.create(
            portfolio=portfolio,
            unit=unit_of(portfolio, reference),
            signed_by=portfolio.assessor,
            wording="Signed off for the test.",
        )
