from django.urls import URLPattern, URLResolver

app_name = "alignment"

urlpatterns: list[URLPattern | URLResolver] = []
