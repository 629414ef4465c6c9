from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "readiness"
    verbose_name = "Governance readiness"

    def ready(self) -> None:
        from .extensions import register_all

        register_all()
