"""The review's pages end to end: start from the system, metrics, evidence, the decision page with
conditions, and the system page saying plainly when a condition is overdue."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from alignment import services
from alignment.models import AlignmentReview, ReviewAttachment
from alignment.workflow import REVIEW
from audit.models import AuditEvent
from tests.alignment.factories import condition_of

DATA = {"title": "Hiring Screener alignment review", "method": "Audited 2,000 screening decisions."}


@pytest.fixture
def draft(system, author):
    return services.review_create(actor=author, system=system, data=DATA)


def test_a_review_started_from_the_system_has_the_profile_areas(client_for, author, system, org):
    url = reverse("alignment:review_create", args=[org.slug, system.pk])
    page = client_for(author).get(url)
    assert page.status_code == 200 and "bias_fairness" in page.context["form"].initial["scope_areas"]
    refused = client_for(author).post(url, {**DATA, "scope_areas": ["value_alignment"]})
    assert refused.status_code == 200 and "scope_areas" in refused.context["form"].errors
    response = client_for(author).post(url, {**DATA, "scope_areas": ["value_alignment", "bias_fairness"]})
    review = AlignmentReview.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("alignment:review_detail", args=[org.slug, review.pk])
    assert review.scope_areas == ["value_alignment", "bias_fairness"] and review.author == author


def test_a_metric_is_added_and_shown_failing(client_for, author, draft, org):
    url = reverse("alignment:metric_add", args=[org.slug, draft.pk])
    metric = {
        "scope_area": "bias_fairness",
        "name": "Demographic parity difference",
        "dataset": "Applicants 2025 hold-out",
        "value": "0.14",
        "comparison": "le",
        "threshold": "0.10",
    }
    bad = client_for(author).post(url, {**metric, "scope_area": "cbrne"})  # not an area of this review
    assert bad.status_code == 200 and "scope_area" in bad.context["form"].errors
    assert client_for(author).post(url, metric).status_code == 302
    page = client_for(author).get(reverse("alignment:review_detail", args=[org.slug, draft.pk]))
    assert "Demographic parity difference" in page.text and "Fail" in page.text


def test_evidence_files_are_checked_and_downloaded_as_attachments(client_for, author, draft, org):
    url = reverse("alignment:attachment_add", args=[org.slug, draft.pk])
    fake = SimpleUploadedFile("results.pdf", b"not a pdf at all", content_type="application/pdf")
    refused = client_for(author).post(url, {"file": fake})
    assert refused.status_code == 200 and "file" in refused.context["form"].errors
    assert not ReviewAttachment.objects.exists()
    good = SimpleUploadedFile("results.csv", b"metric,value\nparity,0.14\n", content_type="text/csv")
    assert client_for(author).post(url, {"file": good}).status_code == 302
    attachment = ReviewAttachment.objects.get()
    assert attachment.original_filename == "results.csv" and len(attachment.sha256) == 64
    assert AuditEvent.objects.filter(action="alignment.attachment.added").exists()
    download = client_for(author).get(reverse("alignment:attachment_download", args=[org.slug, attachment.pk]))
    assert download["Content-Disposition"].startswith("attachment") and download["X-Content-Type-Options"] == "nosniff"


def test_the_decision_page_turns_conditions_into_follow_ups(client_for, author, safety_lead, draft, org):
    review = REVIEW.take(actor=author, record=draft, name="submit", expected_version=draft.version)
    url = reverse("alignment:review_decide", args=[org.slug, review.pk])
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    missing_due = client_for(safety_lead).post(
        url, {"decision": "approved_with_conditions", "version": review.version, "condition_1": "Rebalance"}
    )
    assert missing_due.status_code == 200 and "condition_1_due" in missing_due.context["form"].errors
    response = client_for(safety_lead).post(
        url,
        {
            "decision": "approved_with_conditions",
            "version": review.version,
            "text": "Fine once the gap is closed.",
            "condition_1": "Rebalance the training set and rerun the parity check",
            "condition_1_due": due,
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.decision == "approved_with_conditions"
    assert review.conditions.get().follow_up.due_date.isoformat() == due


def test_the_author_cannot_open_the_decision_page(client_for, make_member, safety_team, system, org):
    from accounts.models import Role

    author_lead = make_member(Role.LEAD, "author-lead", teams=[safety_team])
    review = services.review_create(actor=author_lead, system=system, data=DATA)
    review = REVIEW.take(actor=author_lead, record=review, name="submit", expected_version=review.version)
    url = reverse("alignment:review_decide", args=[org.slug, review.pk])
    assert client_for(author_lead).get(url).status_code == 403


def test_the_system_page_says_plainly_when_a_condition_is_overdue(client_for, safety_lead, draft, org, author):
    review = REVIEW.take(actor=author, record=draft, name="submit", expected_version=draft.version)
    AlignmentReview.objects.filter(pk=review.pk).update(
        status="approved",
        decision="approved_with_conditions",
        decided_at=timezone.now(),
        next_review_due=timezone.localdate() + dt.timedelta(days=300),
    )
    condition_of(review, title="Publish the fairness report", due_date=timezone.localdate() - dt.timedelta(days=2))
    page = client_for(safety_lead).get(reverse("governance:system_detail", args=[org.slug, review.ai_system_id]))
    text = " ".join(page.text.split())
    assert "Condition overdue" in text
    assert "a condition is overdue: “Publish the fairness report” was due on" in text
