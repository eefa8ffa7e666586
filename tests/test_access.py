"""Every URL of the site × every role × own/foreign object, with the status each must get.

A URL added to the site without a row here fails test_every_url_has_a_row_in_the_table.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Credential, Notification, Role, User
from assessment import services as assessment_services
from assessment.models import PlanItem, PlanMethod, ProgressReview
from assessment.services import DecisionRequest, Vacsr
from cohorts.models import Cohort
from exports.models import ExportState, PortfolioExport
from portfolio import services
from portfolio.models import EqaGrant, EvidenceType, OffTheJobEntry
from portfolio.services import eqa, witness
from qualifications.models import AssessmentCriterion, Qualification
from tests.assessment.records import observation_content
from tests.cast import person
from tests.factories import PortfolioFactory, UserFactory
from tests.files import jpeg_upload, text_upload

ROLES = [
    "anonymous",
    "learner",
    "other_learner",
    "assessor",
    "tutor",
    "employer",
    "iqa",
    "centre_admin",
    "operator",
    "eqa",
]
SIGNED_IN = ROLES[1:]
CENTRE_STAFF = ["iqa", "centre_admin"]


# The external quality assurer reads their sample and nothing else: these pages answer them as
# they answer the tutor, who also only reads; every other page, and every POST but signing out,
# is refused (portfolio/middleware.py); signing out and their link's pages are open to them as
# to anyone. A row may still say otherwise.
EQA_READS = {
    "dashboards:home",
    "portfolio:portfolio_list",
    "assessment:portfolio_detail",
    "assessment:portfolio_matrix",
    "assessment:portfolio_units",
    "portfolio:evidence_library",
    "portfolio:evidence_detail",
    "portfolio:file_download",
    "portfolio:file_thumbnail",
    "exports:export_list",
    "exports:export_detail",
    "exports:export_download",
    "portfolio:hours_list",
    "assessment:portfolio_plan",
    "assessment:progress_review",
}


@dataclass(frozen=True)
class Row:
    name: str
    expected: dict[str, int]
    args: Callable[[dict[str, Any]], list[Any]] = field(default=lambda cast: [])
    method: str = "get"
    label: str = ""

    def __post_init__(self) -> None:
        if "eqa" not in self.expected:
            object.__setattr__(self, "expected", {**self.expected, "eqa": self._eqa_status()})

    def _eqa_status(self) -> int:
        if self.name in {"accounts:logout", "portfolio:eqa_link", "portfolio:eqa_code"}:
            return self.expected["tutor"]
        reads = self.name in EQA_READS or self.name.startswith("qualifications:")
        return self.expected["tutor"] if reads and self.method == "get" else 403


def statuses(default: int, **overrides: int) -> dict[str, int]:
    """The employer contact, like the tutor, follows the portfolio read-only: unless a row says
    otherwise they get what the tutor gets. The external quality assurer's status follows from
    the row (Row._eqa_status) unless given."""
    overrides.setdefault("employer", overrides.get("tutor", default))
    return {
        role: overrides.get(role, default) for role in ROLES if role != "eqa" or role in overrides
    }


SIGNED_IN_ONLY = statuses(200, anonymous=302)
PUBLIC = statuses(200)

TABLE = [
    Row("dashboards:home", SIGNED_IN_ONLY),
    Row("accounts:login", statuses(302, anonymous=200)),
    Row("accounts:logout", statuses(302), method="post"),
    Row("accounts:password_change", SIGNED_IN_ONLY),
    Row("accounts:password_change_done", SIGNED_IN_ONLY),
    Row("accounts:sign_out_everywhere", statuses(302), method="post"),
    Row("accounts:password_reset", PUBLIC),
    Row("accounts:password_reset_done", PUBLIC),
    Row(
        "accounts:password_reset_confirm",
        PUBLIC,
        args=lambda cast: ["MQ", "not-a-valid-token"],
        label="expired link",
    ),
    Row("accounts:password_reset_complete", PUBLIC),
    Row("accounts:people_list", statuses(403, anonymous=302, iqa=200, centre_admin=200)),
    # Assessors and IQAs keep their own credentials; a credential is removed by its holder only.
    Row("accounts:credential_list", statuses(403, anonymous=302, assessor=200, iqa=200)),
    Row(
        "accounts:credential_remove",
        statuses(403, anonymous=302, assessor=302, iqa=404),
        args=lambda cast: [cast["credential"].pk],
        method="post",
    ),
    Row(
        "accounts:person_detail",
        statuses(403, anonymous=302, iqa=200, centre_admin=200),
        args=lambda cast: [cast["own_person"].pk],
        label="own centre",
    ),
    Row(
        "accounts:person_detail",
        statuses(403, anonymous=302, iqa=404, centre_admin=404),
        args=lambda cast: [cast["foreign_person"].pk],
        label="other centre",
    ),
    Row("qualifications:qualification_list", SIGNED_IN_ONLY),
    Row(
        "qualifications:qualification_detail",
        SIGNED_IN_ONLY,
        args=lambda cast: ["OCR-L3-RSSP-CERT"],
    ),
    Row(
        "qualifications:qualification_detail",
        statuses(404, anonymous=302),
        args=lambda cast: ["NO-SUCH-QUALIFICATION"],
        label="unknown",
    ),
    # Comparing versions is for the staff who decide what a revision means for learners.
    Row(
        "qualifications:qualification_diff",
        statuses(403, anonymous=302, assessor=200, iqa=200, centre_admin=200),
        args=lambda cast: ["EX-L3-RETAIL-DIP", "1", "2"],
    ),
    Row(
        "qualifications:qualification_diff",
        statuses(403, anonymous=302, assessor=404, iqa=404, centre_admin=404),
        args=lambda cast: ["EX-L3-RETAIL-DIP", "1", "99"],
        label="unknown version to compare",
    ),
    Row(
        "qualifications:qualification_version",
        SIGNED_IN_ONLY,
        args=lambda cast: ["EX-L3-RETAIL-DIP", "1"],
        label="earlier version",
    ),
    Row(
        "qualifications:qualification_version",
        SIGNED_IN_ONLY,
        args=lambda cast: ["EX-L3-RETAIL-DIP", "2"],
        label="current version",
    ),
    Row(
        "qualifications:qualification_version",
        statuses(404, anonymous=302),
        args=lambda cast: ["EX-L3-RETAIL-DIP", "99"],
        label="unknown version",
    ),
    Row("qualifications:unit_detail", SIGNED_IN_ONLY, args=lambda cast: ["RS-ICR"]),
    Row(
        "qualifications:unit_version",
        SIGNED_IN_ONLY,
        args=lambda cast: ["EX-RET-A2", "1"],
        label="earlier version",
    ),
    Row(
        "qualifications:unit_version",
        statuses(404, anonymous=302),
        args=lambda cast: ["EX-RET-A2", "99"],
        label="unknown version",
    ),
    Row(
        "qualifications:unit_detail",
        statuses(404, anonymous=302),
        args=lambda cast: ["NO-SUCH-UNIT"],
        label="unknown",
    ),
    Row("admin:index", statuses(302, operator=200)),
    Row("portfolio:portfolio_list", SIGNED_IN_ONLY),
    Row("accounts:notification_list", SIGNED_IN_ONLY),
    Row("accounts:notifications_read", statuses(302), method="post"),
    # Opening a notification marks it read and follows its link: the recipient's alone.
    Row(
        "accounts:notification_open",
        statuses(404, anonymous=302, learner=302),
        args=lambda cast: [cast["notification"].pk],
    ),
    Row("assessment:caseload", statuses(403, anonymous=302, assessor=200)),
    Row("assessment:iqa_sampling", statuses(403, anonymous=302, iqa=200)),
    Row("assessment:iqa_overview", statuses(403, anonymous=302, iqa=200)),
    Row("assessment:iqa_rates", statuses(403, anonymous=302, iqa=400), method="post"),
    Row("exports:verify", PUBLIC),
    Row(
        "dashboards:cohort_index",
        statuses(403, anonymous=302, tutor=200, employer=403, iqa=200, centre_admin=200),
    ),
    Row("dashboards:centre_overview", statuses(403, anonymous=302, iqa=200, centre_admin=200)),
]

# The learner's own portfolio objects: people who may see them read (200); only the learner
# changes them (others who can see get 403); the other learner and the centre-less operator
# cannot see them at all (404).
READ = statuses(200, anonymous=302, other_learner=404, operator=404)
WRITE = statuses(403, anonymous=302, learner=200, other_learner=404, operator=404)
WRITE_POST = {**WRITE, "learner": 302}
HIDDEN = statuses(404, anonymous=302)
# Tutors of the cohort, IQAs and administrators see a cohort; other roles are not for it.
COHORT = statuses(403, anonymous=302, tutor=200, employer=403, iqa=200, centre_admin=200)
# Only the assigned assessor acts; others who can see the portfolio get 403.
ASSESS = statuses(403, anonymous=302, assessor=200, other_learner=404, operator=404)
# Only the centre's IQAs countersign; others who can see the portfolio get 403.
COUNTERSIGN = statuses(403, anonymous=302, iqa=200, other_learner=404, operator=404)
# The learner and their assessor ask witnesses; others who see the portfolio get 403.
WITNESS = {**WRITE, "assessor": 200}
WITNESS_POST = {**WITNESS, "learner": 302, "assessor": 302}
# The employer contact or the assessor confirms off-the-job hours; the employer contact alone
# gives a witness statement from their account.
CONFIRM_HOURS = statuses(
    403, anonymous=302, assessor=200, employer=200, other_learner=404, operator=404
)
CONFIRM_HOURS_POST = {**CONFIRM_HOURS, "assessor": 302, "employer": 302}
EMPLOYER_ONLY = statuses(403, anonymous=302, employer=200, other_learner=404, operator=404)


# Messages: the learner, their assessor and tutors and the centre's IQAs read and write; the
# centre's administrators read (a post is refused); the employer contact sees the portfolio but
# not its conversations (403); an empty post is shown again with why.
MESSAGES = statuses(200, anonymous=302, other_learner=404, operator=404, employer=403)
MESSAGES_POST = {**MESSAGES, "centre_admin": 403}


def own(key: str) -> Callable[[dict[str, Any]], list[Any]]:
    return lambda cast: [cast[key].pk]


def foreign(key: str) -> Callable[[dict[str, Any]], list[Any]]:
    return lambda cast: [cast[f"foreign_{key}"].pk]


TABLE += [
    Row("assessment:portfolio_detail", READ, args=own("portfolio")),
    Row("assessment:portfolio_detail", HIDDEN, args=foreign("portfolio"), label="other centre"),
    Row("assessment:portfolio_matrix", READ, args=own("portfolio")),
    # Everyone who sees the portfolio reads its units; the assessor and the centre's
    # administrators change the choice (a POST naming no unit is shown again with why).
    Row("assessment:portfolio_units", READ, args=own("portfolio")),
    Row("assessment:portfolio_units", HIDDEN, args=foreign("portfolio"), label="other centre"),
    Row(
        "assessment:portfolio_units",
        {**ASSESS, "centre_admin": 200},
        args=own("portfolio"),
        method="post",
        label="change",
    ),
    Row(
        "assessment:portfolio_units",
        HIDDEN,
        args=foreign("portfolio"),
        method="post",
        label="change, other centre",
    ),
    Row("portfolio:evidence_library", READ, args=own("portfolio")),
    Row("portfolio:evidence_library", HIDDEN, args=foreign("portfolio"), label="other centre"),
    Row("portfolio:evidence_create", WRITE, args=own("portfolio")),
    Row("portfolio:evidence_detail", READ, args=own("evidence")),
    Row("portfolio:evidence_detail", HIDDEN, args=foreign("evidence"), label="other centre"),
    Row("portfolio:evidence_edit", WRITE, args=own("evidence")),
    Row(
        "portfolio:evidence_edit",
        {**WRITE, "learner": 403},
        args=own("record"),
        label="assessor's record",
    ),
    Row(
        "portfolio:mapping_pick",
        {**WRITE, "learner": 403},
        args=own("record"),
        label="assessor's record",
    ),
    Row("portfolio:evidence_delete", WRITE, args=own("evidence")),
    Row("portfolio:file_upload", WRITE_POST, args=own("evidence"), method="post"),
    Row("portfolio:evidence_submit", WRITE_POST, args=own("evidence"), method="post"),
    Row("portfolio:mapping_pick", WRITE, args=own("evidence")),
    Row(
        "portfolio:mapping_commentary",
        {**WRITE, "learner": 302},
        args=own("evidence"),
        label="no criteria chosen",
    ),
    Row("portfolio:mapping_edit", WRITE, args=own("mapping")),
    Row("portfolio:mapping_edit", HIDDEN, args=foreign("mapping"), label="other centre"),
    Row("portfolio:mapping_submit", WRITE_POST, args=own("mapping"), method="post"),
    Row("portfolio:mapping_withdraw", WRITE_POST, args=own("mapping"), method="post"),
    Row("portfolio:mapping_delete", WRITE_POST, args=own("mapping"), method="post"),
    Row("portfolio:file_download", READ, args=own("file")),
    Row("portfolio:file_download", HIDDEN, args=foreign("file"), label="other centre"),
    Row("portfolio:file_thumbnail", READ, args=own("image")),
    Row("portfolio:file_thumbnail", HIDDEN, args=foreign("file"), label="other centre"),
    Row("portfolio:file_delete", WRITE_POST, args=own("file"), method="post"),
    Row("portfolio:file_delete", HIDDEN, args=foreign("file"), method="post", label="other centre"),
    Row("assessment:evidence_review", ASSESS, args=own("evidence")),
    Row("assessment:evidence_review", HIDDEN, args=foreign("evidence"), label="other centre"),
    Row("assessment:mapping_reopen", ASSESS, args=own("mapping")),
    Row(
        "assessment:record_create",
        ASSESS,
        args=lambda cast: [cast["portfolio"].pk, "observation"],
    ),
    Row(
        "assessment:record_create",
        HIDDEN,
        args=lambda cast: [cast["foreign_portfolio"].pk, "discussion"],
        label="other centre",
    ),
    Row("assessment:record_edit", ASSESS, args=own("record")),
    Row("assessment:record_edit", HIDDEN, args=foreign("record"), label="other centre"),
    Row("assessment:record_acknowledge", WRITE, args=own("record")),
    Row("assessment:record_acknowledge", HIDDEN, args=foreign("record"), label="other centre"),
    # The assessor's old address for the overview, kept for links in sent notifications.
    Row("assessment:portfolio_review", {**ASSESS, "assessor": 302}, args=own("portfolio")),
    Row("assessment:portfolio_review", HIDDEN, args=foreign("portfolio"), label="other centre"),
    Row(
        "assessment:unit_sign_off",
        ASSESS,
        args=lambda cast: [cast["portfolio"].pk, cast["unit"].pk],
    ),
    Row(
        "assessment:unit_declare",
        WRITE,
        args=lambda cast: [cast["portfolio"].pk, cast["unit"].pk],
    ),
    Row(
        "assessment:portfolio_timeline",
        {**READ, "learner": 403, "tutor": 403, "employer": 403},
        args=own("portfolio"),
    ),
    Row("assessment:portfolio_timeline", HIDDEN, args=foreign("portfolio"), label="other centre"),
    Row("assessment:decision_sample", statuses(403, anonymous=302, iqa=200), args=own("decision")),
    # Everyone who sees the portfolio reads its plan and reviews; the assessor writes them; each
    # party signs a review (a POST by anyone else who sees it is refused with a message).
    Row("assessment:portfolio_plan", READ, args=own("portfolio")),
    Row("assessment:portfolio_plan", HIDDEN, args=foreign("portfolio"), label="other centre"),
    Row("assessment:plan_item_create", ASSESS, args=own("portfolio")),
    Row("assessment:plan_item_create", HIDDEN, args=foreign("portfolio"), label="other centre"),
    Row("assessment:plan_item_edit", ASSESS, args=own("plan_item")),
    Row("assessment:plan_item_edit", HIDDEN, args=foreign("plan_item"), label="other centre"),
    # A met item is kept: the assessor's removal is refused with a message, so the row can run
    # for every role without the item going.
    Row(
        "assessment:plan_item_remove",
        {**ASSESS, "assessor": 302},
        args=own("met_plan_item"),
        method="post",
        label="met, refused",
    ),
    Row(
        "assessment:plan_item_remove",
        HIDDEN,
        args=foreign("plan_item"),
        method="post",
        label="other centre",
    ),
    Row("assessment:progress_review_create", ASSESS, args=own("portfolio")),
    Row(
        "assessment:progress_review_create",
        HIDDEN,
        args=foreign("portfolio"),
        label="other centre",
    ),
    Row("assessment:progress_review", READ, args=own("progress_review")),
    Row(
        "assessment:progress_review",
        statuses(302, other_learner=404, operator=404),
        args=own("progress_review"),
        method="post",
        label="sign",
    ),
    Row(
        "assessment:progress_review", HIDDEN, args=foreign("progress_review"), label="other centre"
    ),
    # The centre's IQAs countersign; the page says plainly when the rules do not allow it yet.
    *[
        row
        for name, args, foreign_args in (
            ("portfolio_countersign", own("portfolio"), foreign("portfolio")),
            (
                "unit_countersign",
                lambda cast: [cast["portfolio"].pk, cast["unit"].pk],
                lambda cast: [cast["foreign_portfolio"].pk, cast["unit"].pk],
            ),
        )
        for row in (
            Row(f"assessment:{name}", COUNTERSIGN, args=args),
            Row(f"assessment:{name}", COUNTERSIGN, args=args, method="post", label="refused"),
            Row(f"assessment:{name}", HIDDEN, args=foreign_args, label="other centre"),
        )
    ],
    *[
        row
        for name in ("cohort_dashboard", "cohort_heatmap", "cohort_progress")
        for row in (
            Row(f"dashboards:{name}", COHORT, args=own("cohort")),
            Row(
                f"dashboards:{name}",
                {**COHORT, "tutor": 404, "iqa": 404, "centre_admin": 404},
                args=foreign("cohort"),
                label="other centre",
            ),
        )
    ],
    Row("exports:export_list", READ, args=own("portfolio")),
    Row("exports:export_list", HIDDEN, args=foreign("portfolio"), label="other centre"),
    Row("exports:export_detail", READ, args=own("export")),
    Row("exports:export_detail", HIDDEN, args=foreign("export"), label="other centre"),
    Row("exports:export_download", READ, args=own("export")),
    Row("exports:export_download", HIDDEN, args=foreign("export"), label="other centre"),
    Row(
        "exports:export_retry",
        {**READ, **{role: 302 for role in READ if READ[role] == 200}},
        args=own("export"),
        method="post",
    ),
    Row(
        "exports:export_retry",
        HIDDEN,
        args=foreign("export"),
        method="post",
        label="other centre",
    ),
    # Witness requests are the learner's and their assessor's; the witness's page is public,
    # reached only through the secret in its link, and an unknown link is a 404 for everyone.
    Row("portfolio:witness_request_list", WITNESS, args=own("portfolio")),
    Row("portfolio:witness_request_list", HIDDEN, args=foreign("portfolio"), label="other centre"),
    Row("portfolio:witness_request_create", WITNESS, args=own("portfolio")),
    Row(
        "portfolio:witness_request_create",
        HIDDEN,
        args=foreign("portfolio"),
        label="other centre",
    ),
    Row(
        "portfolio:witness_request_revoke",
        WITNESS_POST,
        args=own("witness_request"),
        method="post",
    ),
    Row(
        "portfolio:witness_request_revoke",
        HIDDEN,
        args=foreign("witness_request"),
        method="post",
        label="other centre",
    ),
    Row(
        "portfolio:witness_request_resend",
        WITNESS_POST,
        args=own("witness_request"),
        method="post",
    ),
    Row(
        "portfolio:witness_request_resend",
        HIDDEN,
        args=foreign("witness_request"),
        method="post",
        label="other centre",
    ),
    Row(
        "portfolio:witness_statement",
        PUBLIC,
        args=lambda cast: [cast["witness_token"]],
        label="valid link",
    ),
    Row(
        "portfolio:witness_statement",
        statuses(404),
        args=lambda cast: ["not-a-link-anyone-was-sent"],
        label="unknown link",
    ),
    Row("portfolio:witness_thanks", PUBLIC),
    # Off-the-job hours: everyone who follows the apprentice reads them; the apprentice logs
    # and corrects; the employer contact or assessor confirms and queries.
    Row("portfolio:hours_list", READ, args=own("portfolio")),
    Row("portfolio:hours_list", WRITE, args=own("portfolio"), method="post", label="log"),
    Row("portfolio:hours_list", HIDDEN, args=foreign("portfolio"), label="other centre"),
    Row("portfolio:hours_edit", WRITE, args=own("off_the_job_entry")),
    Row("portfolio:hours_edit", HIDDEN, args=foreign("off_the_job_entry"), label="other centre"),
    Row(
        "portfolio:hours_confirm",
        CONFIRM_HOURS_POST,
        args=own("off_the_job_entry"),
        method="post",
    ),
    Row(
        "portfolio:hours_confirm",
        HIDDEN,
        args=foreign("off_the_job_entry"),
        method="post",
        label="other centre",
    ),
    Row("portfolio:hours_query", CONFIRM_HOURS, args=own("off_the_job_entry")),
    Row("portfolio:hours_query", HIDDEN, args=foreign("off_the_job_entry"), label="other centre"),
    Row("portfolio:employer_statement", EMPLOYER_ONLY, args=own("portfolio")),
    Row(
        "portfolio:employer_statement",
        HIDDEN,
        args=foreign("portfolio"),
        label="other centre",
    ),
    # External quality assurance: the administrators grant and revoke; the assurer's link is
    # public, reached only through its secret, and any link that does not work is a 404.
    Row("enrolment:eqa_grant_list", statuses(403, anonymous=302, centre_admin=200)),
    Row("enrolment:eqa_grant_create", statuses(403, anonymous=302, centre_admin=200)),
    Row(
        "enrolment:eqa_grant_detail",
        statuses(403, anonymous=302, centre_admin=200),
        args=own("eqa_grant"),
    ),
    Row(
        "enrolment:eqa_grant_detail",
        statuses(403, anonymous=302, centre_admin=404),
        args=foreign("eqa_grant"),
        label="other centre",
    ),
    Row(
        "enrolment:eqa_grant_revoke",
        statuses(403, anonymous=302, centre_admin=200),
        args=own("eqa_grant"),
    ),
    Row(
        "enrolment:eqa_grant_revoke",
        statuses(403, anonymous=302, centre_admin=302),
        args=own("eqa_grant"),
        method="post",
        label="revoke",
    ),
    Row(
        "enrolment:eqa_grant_revoke",
        statuses(403, anonymous=302, centre_admin=404),
        args=foreign("eqa_grant"),
        method="post",
        label="revoke, other centre",
    ),
    Row(
        "portfolio:eqa_link",
        statuses(200),
        args=lambda cast: [cast["eqa_token"]],
        label="valid link",
    ),
    Row(
        "portfolio:eqa_link",
        statuses(302),
        args=lambda cast: [cast["eqa_token"]],
        method="post",
        label="send a code",
    ),
    Row(
        "portfolio:eqa_link",
        statuses(404),
        args=lambda cast: ["not-a-link-anyone-was-sent"],
        label="unknown link",
    ),
    Row(
        "portfolio:eqa_code",
        statuses(200),
        args=lambda cast: [cast["eqa_token"]],
        label="valid link",
    ),
    Row(
        "portfolio:eqa_code",
        statuses(404),
        args=lambda cast: ["not-a-link-anyone-was-sent"],
        label="unknown link",
    ),
    # Enrolment pages are the centre administrator's alone.
    Row("enrolment:cohort_list", statuses(403, anonymous=302, centre_admin=200)),
    Row("enrolment:cohort_create", statuses(403, anonymous=302, centre_admin=200)),
    Row("enrolment:learner_list", statuses(403, anonymous=302, centre_admin=200)),
    Row("enrolment:learner_enrol", statuses(403, anonymous=302, centre_admin=200)),
    Row("enrolment:intake_upload", statuses(403, anonymous=302, centre_admin=200)),
    Row("enrolment:intake_template", statuses(403, anonymous=302, centre_admin=200)),
    Row(
        "enrolment:intake_preview",
        statuses(403, anonymous=302, centre_admin=302),
        label="nothing uploaded",
    ),
    Row(
        "enrolment:intake_result",
        statuses(403, anonymous=302, centre_admin=302),
        label="nothing imported",
    ),
    Row(
        "enrolment:portfolio_reassign",
        statuses(403, anonymous=302, centre_admin=200),
        args=own("portfolio"),
    ),
    Row(
        "enrolment:portfolio_reassign",
        statuses(403, anonymous=302, centre_admin=404),
        args=foreign("portfolio"),
        label="other centre",
    ),
    Row(
        "enrolment:portfolio_apprenticeship",
        statuses(403, anonymous=302, centre_admin=200),
        args=own("portfolio"),
    ),
    Row(
        "enrolment:portfolio_apprenticeship",
        statuses(403, anonymous=302, centre_admin=404),
        args=foreign("portfolio"),
        label="other centre",
    ),
    Row(
        "enrolment:portfolio_version",
        statuses(403, anonymous=302, centre_admin=200),
        args=own("portfolio"),
    ),
    Row(
        "enrolment:portfolio_version",
        statuses(403, anonymous=302, centre_admin=404),
        args=foreign("portfolio"),
        label="other centre",
    ),
]


TABLE += [
    Row("portfolio:portfolio_messages", MESSAGES, args=own("portfolio")),
    Row(
        "portfolio:portfolio_messages",
        MESSAGES_POST,
        args=own("portfolio"),
        method="post",
        label="write",
    ),
    Row("portfolio:portfolio_messages", HIDDEN, args=foreign("portfolio"), label="other centre"),
    Row("portfolio:evidence_messages", MESSAGES, args=own("evidence")),
    Row(
        "portfolio:evidence_messages",
        MESSAGES_POST,
        args=own("evidence"),
        method="post",
        label="write",
    ),
    Row("portfolio:evidence_messages", HIDDEN, args=foreign("evidence"), label="other centre"),
    Row(
        "portfolio:evidence_messages",
        HIDDEN,
        args=foreign("evidence"),
        method="post",
        label="write, other centre",
    ),
]


def _portfolio_with_evidence(learner: User, **people: Any) -> dict[str, Any]:
    qualification = Qualification.objects.get(reference="OCR-L3-RSSP-CERT")
    cohort = Cohort.objects.create(
        centre=learner.centre, name=f"Intake {learner.pk}", qualification=qualification
    )
    if people.get("tutor"):
        cohort.tutors.add(people["tutor"])
    portfolio = PortfolioFactory(
        learner=learner,
        cohort=cohort,
        qualification=qualification,
        start_date=datetime.date(2026, 9, 1),
        planned_end_date=datetime.date(2027, 7, 31),
        is_apprenticeship="employer" in people,
        **people,
    )
    evidence = services.evidence_create(
        actor=learner,
        portfolio=portfolio,
        type=EvidenceType.OBSERVATION,
        title="Till observation",
        activity_date=datetime.date(2026, 10, 1),
        description="Observed at the tills.",
    )
    note = services.evidence_file_add(
        actor=learner,
        evidence=evidence,
        uploaded=text_upload("notes.txt", "Observation notes.\n"),
    )
    image = services.evidence_file_add(
        actor=learner, evidence=evidence, uploaded=jpeg_upload("board.jpg", width=40, height=30)
    )
    [mapping] = services.mappings_create(
        actor=learner,
        evidence=evidence,
        commentaries={
            AssessmentCriterion.objects.get(unit__reference="RS-WWO", number="1.1"): "I did it."
        },
    )
    [submitted] = services.mappings_create(
        actor=learner,
        evidence=evidence,
        commentaries={
            AssessmentCriterion.objects.get(unit__reference="RS-WWO", number="1.2"): "I did too."
        },
        submit=True,
    )
    decision = None
    if portfolio.assessor:
        [decision] = assessment_services.mappings_decide(
            actor=portfolio.assessor,
            evidence=evidence,
            requests=[
                DecisionRequest(
                    mapping_id=submitted.pk,
                    outcome="accepted",
                    feedback="",
                    seen_submitted_at=None,
                    vacsr=Vacsr.confirmed(),
                )
            ],
        )
    record = None
    if portfolio.assessor:
        record = assessment_services.record_create(
            actor=portfolio.assessor,
            portfolio=portfolio,
            type=EvidenceType.OBSERVATION,
            content=observation_content(
                AssessmentCriterion.objects.get(unit__reference="RS-WWO", number="1.1")
            ),
        )
    export = PortfolioExport.objects.create(
        portfolio=portfolio,
        requested_by=learner,
        verification_code=f"TEST-{portfolio.pk:04d}-CODE",
        state=ExportState.DONE,
    )
    export.file.save("export.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    witness_request, witness_token = witness.witness_request_create(
        actor=learner,
        portfolio=portfolio,
        witness=witness.Witness(
            name="Priya Patel", job_title="Manager", relationship="Line manager", email="p@x.org"
        ),
        activity="Tills.",
    )
    off_the_job_entry = OffTheJobEntry.objects.create(
        portfolio=portfolio,
        date=datetime.date(2026, 9, 7),
        hours=Decimal("3.5"),
        activity="Product training.",
        logged_by=learner,
    )
    plan_item = PlanItem.objects.create(
        portfolio=portfolio,
        activity="Run the stock rotation",
        method=PlanMethod.OBSERVATION,
        target_date=datetime.date(2026, 11, 30),
        created_by=portfolio.assessor or learner,
    )
    plan_item.criteria.add(AssessmentCriterion.objects.get(unit__reference="RS-WWO", number="2.1"))
    met_plan_item = PlanItem.objects.create(
        portfolio=portfolio,
        activity="Serve at the tills",
        method=PlanMethod.OBSERVATION,
        target_date=datetime.date(2026, 10, 30),
        created_by=portfolio.assessor or learner,
    )
    met_plan_item.criteria.add(
        AssessmentCriterion.objects.get(unit__reference="RS-WWO", number="1.2")
    )
    progress_review = ProgressReview.objects.create(
        portfolio=portfolio,
        held_on=datetime.date(2026, 11, 20),
        progress="Under way.",
        next_steps="Finish the rotation.",
        is_three_way=portfolio.is_apprenticeship,
        written_by=portfolio.assessor or learner,
    )
    return {
        "off_the_job_entry": off_the_job_entry,
        "plan_item": plan_item,
        "met_plan_item": met_plan_item,
        "progress_review": progress_review,
        "witness_request": witness_request,
        "witness_token": witness_token,
        "cohort": cohort,
        "export": export,
        "decision": decision,
        "unit": AssessmentCriterion.objects.get(unit__reference="RS-WWO", number="1.1").unit,
        "portfolio": portfolio,
        "evidence": evidence,
        "file": note,
        "image": image,
        "mapping": mapping,
        # The assessor's observation record; a learner's own evidence where there is none.
        "record": record.evidence if record else evidence,
    }


def _eqa_grant(admin: User, portfolio: Any) -> tuple[EqaGrant, str]:
    """An external quality assurer whose sample is this one portfolio, for a week."""
    return eqa.eqa_grant_create(
        actor=admin,
        assurer=eqa.Assurer(
            full_name="Erin External",
            email=f"erin.{admin.centre_id}@awarding.example",
            organisation="OCR",
        ),
        expires_on=timezone.localdate() + datetime.timedelta(days=7),
        portfolios=[portfolio],
    )


@pytest.fixture
def cast(
    catalogue: None,
    amy: User,
    ben: User,
    asha: User,
    tom: User,
    eve: User,
    iris: User,
    ada: User,
    oscar: User,
    django_capture_on_commit_callbacks: Any,
) -> dict[str, Any]:
    operator = UserFactory(
        email="operator@example.org", centre=None, is_staff=True, is_superuser=True
    )
    foreign_admin = person(oscar.centre, "Fay Foreign", Role.CENTRE_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        objects = _portfolio_with_evidence(amy, assessor=asha, tutor=tom, employer=eve)
        foreign_objects = _portfolio_with_evidence(oscar)
        eqa_grant, eqa_token = _eqa_grant(ada, objects["portfolio"])
        foreign_eqa_grant, _ = _eqa_grant(foreign_admin, foreign_objects["portfolio"])
    return {
        **objects,
        **{f"foreign_{key}": value for key, value in foreign_objects.items()},
        "anonymous": None,
        "other_learner": ben,
        "learner": amy,
        "assessor": asha,
        "tutor": tom,
        "employer": eve,
        "iqa": iris,
        "centre_admin": ada,
        "operator": operator,
        "eqa": eqa_grant.assurer,
        "eqa_grant": eqa_grant,
        "eqa_token": eqa_token,
        "foreign_eqa_grant": foreign_eqa_grant,
        "own_person": amy,
        "foreign_person": oscar,
        "notification": Notification.objects.create(
            recipient=amy, message="Asha Patel assessed “Till observation”.", link="/"
        ),
        "credential": Credential.objects.create(
            person=asha,
            title="Level 3 Certificate in Assessing Vocational Achievement",
            awarding_body="City & Guilds",
            achieved_on=datetime.date(2021, 6, 1),
        ),
    }


# The learner goes last: their POSTs change state (a mapping deleted, evidence submitted).
VISIT_ORDER = [role for role in ROLES if role != "learner"] + ["learner"]


@pytest.mark.parametrize("row", TABLE, ids=lambda row: f"{row.name}[{row.label}]".replace("[]", ""))
def test_status_for_each_url_and_role(cast: dict[str, Any], row: Row) -> None:
    url = reverse(row.name, args=row.args(cast))
    wrong = []
    for role in VISIT_ORDER:
        client = Client()
        if cast[role] is not None:
            client.force_login(cast[role])
        status = getattr(client, row.method)(url).status_code
        if status != row.expected[role]:
            wrong.append(
                f"{role}: {row.method.upper()} {url} gave {status}, expected {row.expected[role]}"
            )
    assert wrong == []


def _named_urls(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_a_row_in_the_table() -> None:
    site_urls = {name for name in _named_urls(get_resolver()) if not name.startswith("admin:")}
    covered = {row.name for row in TABLE}
    assert site_urls - covered == set(), "add a row to TABLE for each new URL"
