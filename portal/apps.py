from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Trang học viên")

    def ready(self):
        # The stored pages' generation listens to writes from the start, in every process that can write.
        import portal.page_cache  # noqa: F401
