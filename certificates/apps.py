from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Giấy chứng nhận")

    def ready(self):
        # The stored pages' generation listens to writes from the start, in every process that can write.
        import certificates.page_cache  # noqa: F401
        from certificates.training import trained_members
        from enrollments.training import register_trained_members

        # The one definition of "trained", which the nomination rule and compliance ask through enrollments.
        register_trained_members(trained_members)
