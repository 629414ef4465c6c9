from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Governed records"

    def ready(self) -> None:
        from .extensions import register_all

        register_all()
