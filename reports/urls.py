from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("missing-list/", views.missing_list, name="missing-list"),
    path("year/", views.year_report, name="year-report"),
]
