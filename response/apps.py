from django.apps import AppConfig


class ResponseConfig(AppConfig):
    name = "response"
    verbose_name = "Incident-response plans and tabletop exercises"

    def ready(self) -> None:
        from . import workflow  # noqa: F401  (registers the record kinds the shared pages use)
        from .extensions import register_all

        register_all()
