"""The Regulatory tab and the technical file's statements: what is offered where, who writes."""

import html

from django.urls import reverse

from audit.models import AuditEvent
from regulatory.models import TechnicalFile
from tests.factories import AISystemFactory


def test_the_tab_explains_what_does_not_apply(client_for, viewer, org, team):
    system = AISystemFactory(organisation=org, owner_team=team, eu_ai_act_tier="minimal", operator_role="deployer")
    page = client_for(viewer).get(reverse("regulatory:system_regulatory", args=[org.slug, system.pk])).content.decode()
    assert "Technical documentation (Annex IV) is for high-risk systems" in page
    assert "A fundamental-rights impact assessment is for high-risk systems" in page
    assert reverse("regulatory:fria_create", args=[org.slug, system.pk]) not in page


def test_the_tab_of_a_high_risk_system_offers_both(client_for, lead, high_risk):
    org = high_risk.organisation
    page = client_for(lead).get(reverse("regulatory:system_regulatory", args=[org.slug, high_risk.pk])).content.decode()
    assert reverse("regulatory:technical_file", args=[org.slug, high_risk.pk]) in page
    assert reverse("regulatory:fria_create", args=[org.slug, high_risk.pk]) in page
    assert "items of information are still missing" in page


def test_the_technical_file_is_refused_for_a_deployer_only_system(client_for, lead, org, team):
    system = AISystemFactory(organisation=org, owner_team=team, eu_ai_act_tier="high", operator_role="deployer")
    for name in ("technical_file", "technical_file_edit"):
        response = client_for(lead).get(reverse(f"regulatory:{name}", args=[org.slug, system.pk]))
        assert response.status_code == 403
    assert "the provider's duty" in html.unescape(response.content.decode())


def test_statements_are_saved_audited_and_leave_the_missing_list(client_for, member, high_risk):
    org = high_risk.organisation
    url = reverse("regulatory:technical_file_edit", args=[org.slug, high_risk.pk])
    response = client_for(member).post(url, {"standards_applied": "ISO/IEC 42001 in part."})
    assert response.status_code == 302
    statements = TechnicalFile.objects.get(ai_system=high_risk)
    assert statements.standards_applied == "ISO/IEC 42001 in part." and statements.updated_by == member
    assert AuditEvent.objects.filter(action="regulatory.technicalfile.created").exists()
    page = client_for(member).get(reverse("regulatory:technical_file", args=[org.slug, high_risk.pk])).content.decode()
    assert 'data-missing="standards_applied"' not in page and 'data-missing="declaration_of_conformity"' in page
    # A second editor who opened the empty form before the first save conflicts.
    response = client_for(member).post(url, {"standards_applied": "None."})
    assert response.status_code == 200 and response.context["conflict"] is not None
    statements.refresh_from_db()
    assert statements.standards_applied == "ISO/IEC 42001 in part."


def test_the_regulatory_area_lists_high_risk_systems_with_their_fria(client_for, viewer, lead, high_risk, org, team):
    from regulatory.workflow import FRIA
    from tests.regulatory.factories import FRIAFactory

    AISystemFactory(organisation=org, owner_team=team, name="Chatbot", eu_ai_act_tier="limited")
    fria = FRIAFactory(ai_system=high_risk, author=lead)
    FRIA.take(actor=lead, record=fria, name="submit", expected_version=fria.version)
    page = client_for(viewer).get(reverse("regulatory:soa", args=[org.slug])).content.decode()
    assert "Hiring Screener" in page and "FRIA v1 In review" in page
    assert "Chatbot" not in page
