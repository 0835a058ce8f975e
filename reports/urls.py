from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("compliance/", views.compliance_page, name="compliance"),
    path("year/", views.year_report, name="year-report"),
]
