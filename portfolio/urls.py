from __future__ import annotations

from django.urls import path

from portfolio.views import (
    conversations,
    eqa,
    evidence,
    files,
    hours,
    mappings,
    portfolios,
    witness,
)

app_name = "portfolio"

urlpatterns = [
    path("portfolios/", portfolios.portfolio_list, name="portfolio_list"),
    path("portfolios/<int:pk>/evidence/", evidence.evidence_library, name="evidence_library"),
    path("portfolios/<int:pk>/evidence/new/", evidence.evidence_create, name="evidence_create"),
    path("evidence/<int:pk>/", evidence.evidence_detail, name="evidence_detail"),
    path("evidence/<int:pk>/edit/", evidence.evidence_edit, name="evidence_edit"),
    path("evidence/<int:pk>/delete/", evidence.evidence_delete, name="evidence_delete"),
    path("evidence/<int:pk>/files/", evidence.file_upload, name="file_upload"),
    path("evidence/<int:pk>/submit/", mappings.evidence_submit, name="evidence_submit"),
    path("evidence/<int:pk>/map/", mappings.mapping_pick, name="mapping_pick"),
    path(
        "evidence/<int:pk>/map/commentary/", mappings.mapping_commentary, name="mapping_commentary"
    ),
    path("mappings/<int:pk>/edit/", mappings.mapping_edit, name="mapping_edit"),
    path("mappings/<int:pk>/submit/", mappings.mapping_submit, name="mapping_submit"),
    path("mappings/<int:pk>/withdraw/", mappings.mapping_withdraw, name="mapping_withdraw"),
    path("mappings/<int:pk>/delete/", mappings.mapping_delete, name="mapping_delete"),
    path(
        "portfolios/<int:pk>/witnesses/",
        witness.witness_request_list,
        name="witness_request_list",
    ),
    path(
        "portfolios/<int:pk>/witnesses/new/",
        witness.witness_request_create,
        name="witness_request_create",
    ),
    path(
        "witness-requests/<int:pk>/revoke/",
        witness.witness_request_revoke,
        name="witness_request_revoke",
    ),
    path(
        "witness-requests/<int:pk>/resend/",
        witness.witness_request_resend,
        name="witness_request_resend",
    ),
    path("witness/thanks/", witness.witness_thanks, name="witness_thanks"),
    path("witness/<str:token>/", witness.witness_statement, name="witness_statement"),
    path("eqa/<str:token>/", eqa.eqa_link, name="eqa_link"),
    path("eqa/<str:token>/code/", eqa.eqa_code, name="eqa_code"),
    path("files/<int:pk>/", files.file_download, name="file_download"),
    path("files/<int:pk>/thumbnail/", files.file_thumbnail, name="file_thumbnail"),
    path("files/<int:pk>/delete/", files.file_delete, name="file_delete"),
]

urlpatterns += [
    path("portfolios/<int:pk>/off-the-job/", hours.hours_list, name="hours_list"),
    path("off-the-job/<int:pk>/edit/", hours.hours_edit, name="hours_edit"),
    path("off-the-job/<int:pk>/confirm/", hours.hours_confirm, name="hours_confirm"),
    path("off-the-job/<int:pk>/query/", hours.hours_query, name="hours_query"),
    path(
        "portfolios/<int:pk>/witnesses/employer/",
        hours.employer_statement,
        name="employer_statement",
    ),
]

urlpatterns += [
    path(
        "portfolios/<int:pk>/messages/",
        conversations.portfolio_messages,
        name="portfolio_messages",
    ),
    path("evidence/<int:pk>/messages/", conversations.evidence_messages, name="evidence_messages"),
]
