from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = _("Quản trị")
    default = True


class TrainingAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, whose default site shows each role's home page (backoffice/sites.py)."""

    default = False
    default_site = "backoffice.sites.TrainingAdminSite"
