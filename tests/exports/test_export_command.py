"""`manage.py export_portfolio`: the same signed, recorded PDF, built at once, for scripts."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pyhanko.pdf_utils.reader import PdfFileReader

from accounts.models import User
from exports.models import ExportScope, ExportState, PortfolioExport
from exports.verification import Verdict, check_fingerprint
from portfolio.models import AuditEntry, Portfolio

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("export_portfolio", *args, stdout=out)
    return out.getvalue()


def test_it_writes_the_signed_pdf_the_site_would_issue_and_records_it(
    amy_portfolio: Portfolio, asha: User, tmp_path: Path
) -> None:
    target = tmp_path / "amy.pdf"
    said = run(amy_portfolio.learner.email.upper(), "OCR-L3-RSSP-CERT", "-o", str(target))

    export = PortfolioExport.objects.get()
    data = target.read_bytes()
    assert export.state == ExportState.DONE
    assert export.requested_by == asha  # the portfolio's assessor, unless --by says otherwise
    assert hashlib.sha256(data).hexdigest() == export.sha256
    assert export.verification_code in said and f"{export.pages} pages" in said
    assert PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    assert check_fingerprint(export.sha256).verdict == Verdict.GENUINE
    assert AuditEntry.objects.filter(action="export.request", actor=asha).exists()


def test_one_unit_or_accepted_evidence_only(amy_portfolio: Portfolio, tmp_path: Path) -> None:
    run(
        amy_portfolio.learner.email,
        "OCR-L3-RSSP-CERT",
        "--scope",
        "unit:RS-WWO",
        "-o",
        str(tmp_path / "u.pdf"),
    )
    run(
        amy_portfolio.learner.email,
        "OCR-L3-RSSP-CERT",
        "--scope",
        "accepted",
        "-o",
        str(tmp_path / "a.pdf"),
    )
    assert [
        (e.scope, e.unit.reference if e.unit else None)
        for e in PortfolioExport.objects.order_by("pk")
    ] == [
        (ExportScope.UNIT, "RS-WWO"),
        (ExportScope.ACCEPTED, None),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody@northgate.test", "OCR-L3-RSSP-CERT"], "No portfolio of nobody@northgate.test"),
        (["{amy}", "OCR-L3-RSSP-CERT", "--scope", "unit:NOPE"], "NOPE is not one of"),
        (["{amy}", "OCR-L3-RSSP-CERT", "--scope", "everything"], "--scope must be"),
        (
            ["{amy}", "OCR-L3-RSSP-CERT", "--by", "oscar@riverside.test"],
            "cannot see this portfolio",
        ),
    ],
)
def test_mistakes_are_refused_plainly_and_nothing_is_recorded(
    amy_portfolio: Portfolio, oscar: User, tmp_path: Path, args: list[str], message: str
) -> None:
    args = [arg.replace("{amy}", amy_portfolio.learner.email) for arg in args]
    with pytest.raises(CommandError, match=message):
        run(*args, "-o", str(tmp_path / "x.pdf"))
    assert not PortfolioExport.objects.exists()
    assert not (tmp_path / "x.pdf").exists()
