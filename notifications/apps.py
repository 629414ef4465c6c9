from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Reminders and notifications"

    def ready(self) -> None:
        from core import extensions

        from .views import profile_panel

        extensions.register(extensions.PROFILE_PANELS, profile_panel)
