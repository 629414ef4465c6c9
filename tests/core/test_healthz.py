import json

from django.urls import reverse


def test_it_reports_ok_when_database_and_broker_answer(client, db):
    response = client.get(reverse("healthz"))
    body = json.loads(response.content)
    assert response.status_code == 200, body
    assert body["database"] == {"ok": True}
    assert body["broker"] == {"ok": True}
    assert body["status"] == "ok"


def test_it_names_the_broken_broker_and_keeps_the_details_for_the_log(client, db, settings, caplog):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get(reverse("healthz"))
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body == {"database": {"ok": True}, "broker": {"ok": False}, "status": "unavailable: broker"}
    assert b"127.0.0.1" not in response.content and b"Error" not in response.content
    assert "127.0.0.1:1" in caplog.text  # the operator still learns why


def test_it_names_the_broken_database(client, db, monkeypatch):
    from core import views

    monkeypatch.setattr(views, "_check_database", lambda: "OperationalError: connection to db.internal:5432 refused")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert json.loads(response.content)["status"].startswith("unavailable: database")
    assert b"db.internal" not in response.content and b"OperationalError" not in response.content
