"""The project's URLs: the staff admin, the trainee portal, logins, language switching, public verification and
the health and readiness checks."""

from django.contrib import admin
from django.urls import include, path

from config.views import health, ready
from portal.views import home

urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("health/ready/", ready, name="health-ready"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("portal.auth_urls")),
    path("my/", include("portal.urls")),
    path("verify/", include("certificates.urls")),
    path("reports/", include("reports.urls")),
    path("oversight/", include("oversight.urls")),
]

# The 500 page carries the request id; the 400, 403 and 404 pages are Django's views with our templates.
handler500 = "config.views.server_error"
