from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Audit packs and documents"

    def ready(self) -> None:
        from .extensions import register_all

        register_all()
