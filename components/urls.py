from django.urls import URLPattern, URLResolver

app_name = "components"

urlpatterns: list[URLPattern | URLResolver] = []
