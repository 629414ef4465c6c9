from django.urls import path

from records.views import record_urls

from . import views
from .workflow import KIND

app_name = "alignment"
urlpatterns = [
    path("alignment-reviews/", views.review_list, name="review_list"),
    path("systems/<int:pk>/alignment-reviews/", views.system_reviews, name="system_reviews"),
    path("systems/<int:pk>/alignment-reviews/new/", views.review_create, name="review_create"),
    path("alignment-reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("alignment-reviews/<int:pk>/edit/", views.review_edit, name="review_edit"),
    path("alignment-reviews/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path("alignment-reviews/<int:pk>/metrics/new/", views.child_add, {"kind": "metric"}, name="metric_add"),
    path("alignment-metrics/<int:pk>/", views.child_edit, {"kind": "metric"}, name="metric_edit"),
    path("alignment-metrics/<int:pk>/remove/", views.child_remove, {"kind": "metric"}, name="metric_remove"),
    path("alignment-reviews/<int:pk>/findings/new/", views.child_add, {"kind": "finding"}, name="finding_add"),
    path("alignment-findings/<int:pk>/", views.child_edit, {"kind": "finding"}, name="finding_edit"),
    path("alignment-findings/<int:pk>/remove/", views.child_remove, {"kind": "finding"}, name="finding_remove"),
    path("alignment-reviews/<int:pk>/evidence/new/", views.attachment_add, name="attachment_add"),
    path("alignment-evidence/<int:pk>/", views.attachment_download, name="attachment_download"),
    *record_urls(KIND, "alignment-reviews/"),
]
