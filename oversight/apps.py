from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Kiểm tra, giám sát")

    def ready(self):
        from oversight import tallies  # noqa: F401 (connects the receivers that keep the compliance tallies)
