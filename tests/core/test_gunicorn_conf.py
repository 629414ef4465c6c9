import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"


def test_gunicorn_listens_on_loopback_unless_configured(monkeypatch):
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    monkeypatch.setenv("PORT", "8123")
    assert runpy.run_path(str(CONF))["bind"] == "127.0.0.1:8123"
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:9000")
    assert runpy.run_path(str(CONF))["bind"] == "0.0.0.0:9000"
