from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from . import workflow  # noqa: F401  (registers the record kind follow-ups link back to)
        from .extensions import register_all

        register_all()
