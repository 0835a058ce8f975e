"""The project's URLs: the staff admin, the trainee portal, logins, language switching and public verification."""

from django.contrib import admin
from django.urls import include, path

from portal.views import home

urlpatterns = [
    path("", home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("portal.auth_urls")),
    path("my/", include("portal.urls")),
    path("verify/", include("certificates.urls")),
    path("reports/", include("reports.urls")),
]
