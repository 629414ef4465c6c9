from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Risk register"

    def ready(self) -> None:
        from . import workflow  # noqa: F401  (registers the record kinds the shared pages use)
        from .extensions import register_all

        register_all()
