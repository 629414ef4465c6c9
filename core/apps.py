from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import displays

        displays.install()  # get_FOO_display() without rebuilding the choices on every call
