from django.urls import path

from records.views import record_urls

from . import views
from .workflow import KIND

app_name = "risks"
urlpatterns = [
    path("risks/", views.register, name="register"),
    path("systems/<int:pk>/risks/", views.system_risks, name="system_risks"),
    path("systems/<int:pk>/risks/new/", views.risk_create, name="risk_create"),
    path("systems/<int:pk>/risks/example/", views.risk_add_example, name="risk_add_example"),
    path("risks/<int:pk>/", views.risk_detail, name="risk_detail"),
    path("risks/<int:pk>/edit/", views.risk_edit, name="risk_edit"),
    path("risks/<int:pk>/accept/", views.risk_accept, name="risk_accept"),
    path("risks/<int:pk>/cosign/", views.risk_cosign, name="risk_cosign"),
    *record_urls(KIND, "risks/"),
]
