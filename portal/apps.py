from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Trang học viên")

    def ready(self):
        from portal.page_cache import PORTAL_PAGES

        # A release may change the pages' templates: every migrate starts a new generation of stored pages.
        post_migrate.connect(PORTAL_PAGES.new, sender=self, weak=False, dispatch_uid="portal.page_cache.migrated")
