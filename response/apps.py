from django.apps import AppConfig


class ResponseConfig(AppConfig):
    name = "response"
    verbose_name = "Incident-response plans and tabletop exercises"
