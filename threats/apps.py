from django.apps import AppConfig


class ThreatsConfig(AppConfig):
    name = "threats"
    verbose_name = "Threat models"

    def ready(self) -> None:
        from . import workflow  # noqa: F401  (registers the record kinds the shared pages use)
        from .extensions import register_all

        register_all()
