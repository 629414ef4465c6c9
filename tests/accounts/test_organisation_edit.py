from django.urls import reverse

from audit.models import AuditEvent


def data(**overrides):
    values = {
        "name": "Acme Test",
        "readiness_threshold": 90,
        "assessment_cadence_days": 365,
        "threat_model_cadence_days": 180,
        "red_team_cadence_days": 180,
        "alignment_review_cadence_days": 365,
        "ir_plan_cadence_days": 365,
        "tabletop_cadence_days": 365,
        "version": 1,
    }
    values.update(overrides)
    return values


def test_admin_changes_the_readiness_threshold(client_for, admin, org):
    response = client_for(admin).post(
        reverse("accounts:organisation_edit", args=[org.slug]), data(readiness_threshold=80)
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.readiness_threshold == 80
    event = AuditEvent.objects.get(action="accounts.organisation.updated")
    assert event.before == {"readiness_threshold": 90, "version": 1}


def test_out_of_range_values_are_refused(client_for, admin, org):
    response = client_for(admin).post(
        reverse("accounts:organisation_edit", args=[org.slug]), data(readiness_threshold=150, red_team_cadence_days=0)
    )
    form = response.context["form"]
    assert "readiness_threshold" in form.errors and "red_team_cadence_days" in form.errors
    org.refresh_from_db()
    assert org.readiness_threshold == 90
