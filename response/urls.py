from django.urls import URLPattern, URLResolver

app_name = "response"

urlpatterns: list[URLPattern | URLResolver] = []
