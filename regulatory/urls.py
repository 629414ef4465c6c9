from django.urls import URLPattern, URLResolver

app_name = "regulatory"

urlpatterns: list[URLPattern | URLResolver] = []
