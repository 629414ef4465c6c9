from django.apps import AppConfig


class RegulatoryConfig(AppConfig):
    name = "regulatory"
    verbose_name = "Regulatory documents"

    def ready(self) -> None:
        from . import workflow  # noqa: F401  (registers the FRIA record kind the shared pages use)
        from .extensions import register_all

        register_all()
