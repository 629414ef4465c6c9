import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"


def test_gunicorn_listens_on_loopback_unless_configured(monkeypatch):
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    monkeypatch.setenv("PORT", "8123")
    assert runpy.run_path(str(CONF))["bind"] == "127.0.0.1:8123"
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:9000")
    assert runpy.run_path(str(CONF))["bind"] == "0.0.0.0:9000"


def test_each_worker_freezes_what_it_loaded_before_serving():
    """What a worker loads at start is moved out of the collector's sight (no 100 ms full
    collections in the middle of a page); what requests create later is collected as usual."""
    import gc

    hook = runpy.run_path(str(CONF))["post_worker_init"]
    assert gc.get_freeze_count() == 0
    try:
        hook(worker=None)
        assert gc.get_freeze_count() > 10_000
        assert gc.isenabled()
    finally:
        gc.unfreeze()
