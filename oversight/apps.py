from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Kiểm tra, giám sát")

    def ready(self):
        from courses import lifecycle
        from oversight import tallies  # noqa: F401 (connects the receivers that keep the compliance tallies)
        from oversight.quality import judge_closed_class

        # A self-run class's quality verdict is stored when it closes (courses cannot import oversight).
        if judge_closed_class not in lifecycle.closing_hooks:
            lifecycle.closing_hooks.append(judge_closed_class)
