from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("<int:pk>/", views.event_detail, name="event_detail"),
    path("verifications/", views.verification_create, name="verification_create"),
    path("verifications/<int:pk>/", views.verification_status, name="verification_status"),
]
