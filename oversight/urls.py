from django.urls import path

from oversight import views

app_name = "oversight"

urlpatterns = [
    path("compliance/", views.compliance_page, name="compliance"),
]
