from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    path("", views.verify, name="verify"),
    path("<str:verification_code>/", views.verify_detail, name="verify-detail"),
]
