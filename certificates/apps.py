from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Giấy chứng nhận")

    def ready(self):
        from certificates import page_cache

        # A release may change the pages' templates: every migrate starts a new generation of stored pages.
        post_migrate.connect(page_cache.new_generation, sender=self, dispatch_uid="certificates.page_cache.migrated")
