from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Organisations and teams"

    def ready(self):
        from . import profiles  # noqa: F401  (connects the sign-in receiver)
