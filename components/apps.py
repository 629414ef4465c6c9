from django.apps import AppConfig


class ComponentsConfig(AppConfig):
    name = "components"
    verbose_name = "AI-system components (AI-BOM)"

    def ready(self) -> None:
        from .extensions import register_all

        register_all()
