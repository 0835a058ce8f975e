from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Giấy chứng nhận")

    def ready(self):
        from certificates.page_cache import VERIFY_PAGES

        # A release may change the pages' templates: every migrate starts a new generation of stored pages.
        post_migrate.connect(VERIFY_PAGES.new, sender=self, weak=False, dispatch_uid="certificates.page_cache.migrated")
