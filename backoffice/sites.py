"""The admin site: Django's, with the home page of each role (backoffice/home.py) above the list of models."""

from django.contrib import admin

from backoffice.home import home_for


class TrainingAdminSite(admin.AdminSite):
    def index(self, request, extra_context=None):
        return super().index(request, {"home": home_for(request.user), **(extra_context or {})})
