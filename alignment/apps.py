from django.apps import AppConfig


class AlignmentConfig(AppConfig):
    name = "alignment"
    verbose_name = "Alignment reviews"

    def ready(self) -> None:
        from . import workflow  # noqa: F401  (registers the record kind the shared pages use)
        from .extensions import register_all

        register_all()
