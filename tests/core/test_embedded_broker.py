"""The embedded (file-system) broker of `make run` keeps every file it writes under var/."""

from pathlib import Path

from celery import Celery
from django.conf import settings

from config.settings import filesystem_broker_options


def test_every_broker_folder_is_under_var():
    options = filesystem_broker_options(settings.VAR_DIR)
    folders = [v for k, v in options.items() if k.endswith("_folder") or k.startswith("data_folder")]
    assert len(folders) == 4
    for folder in folders:
        assert Path(folder).is_relative_to(settings.VAR_DIR), folder


def test_sending_a_task_and_a_broadcast_leaves_the_working_directory_clean(tmp_path, monkeypatch):
    """A task message and a remote-control broadcast (what a worker and `celery inspect` use)
    go through the file-system transport; nothing lands in the directory it was started from."""
    repo, var = tmp_path / "repo", tmp_path / "var"
    repo.mkdir()
    monkeypatch.chdir(repo)
    # Celery lets CELERY_BROKER_URL win over the app's own broker (CI's Redis stage sets it).
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    app = Celery("embedded-test", broker="filesystem://", set_as_current=False)
    app.conf.broker_transport_options = filesystem_broker_options(var)
    app.send_task("audit.tasks.audit_verify_all_task")
    app.control.broadcast("ping", reply=False)
    assert sorted(p.name for p in repo.iterdir()) == []
    assert list((var / "broker" / "queue").iterdir()), "the task message is in var/broker/queue"
    assert list((var / "broker" / "control").iterdir()), "the broadcast exchange is in var/broker/control"
