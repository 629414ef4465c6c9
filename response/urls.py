from django.urls import path

from records.views import record_urls

from . import tabletop_views as tt
from . import views
from .workflow import PLAN_KIND, TABLETOP_KIND

app_name = "response"
urlpatterns = [
    path("ir-plans/", views.plan_list, name="plan_list"),
    path("ir-plans/new/", views.plan_create, name="plan_create"),
    path("systems/<int:pk>/ir-plans/", views.system_plans, name="system_plans"),
    path("ir-plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("ir-plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("ir-plans/<int:pk>/roles/", views.plan_roles, name="plan_roles"),
    path("ir-plans/<int:pk>/playbooks/new/", views.playbook_add, name="playbook_add"),
    path("playbooks/<int:pk>/", views.playbook_edit, name="playbook_edit"),
    path("playbooks/<int:pk>/remove/", views.playbook_remove, name="playbook_remove"),
    *record_urls(PLAN_KIND, "ir-plans/"),
    path("ir-plans/<int:pk>/tabletops/new/", tt.tabletop_create, name="tabletop_create"),
    path("tabletops/<int:pk>/", tt.tabletop_detail, name="tabletop_detail"),
    path("tabletops/<int:pk>/edit/", tt.tabletop_edit, name="tabletop_edit"),
    *record_urls(TABLETOP_KIND, "tabletops/"),
]
