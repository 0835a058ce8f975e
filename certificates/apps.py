from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Giấy chứng nhận")

    def ready(self):
        # The stored pages' generation listens to writes from the start, in every process that can write.
        import certificates.page_cache  # noqa: F401
        from certificates.training import trained_members
        from courses import lifecycle
        from enrollments.training import register_trained_members

        # The one definition of "trained", which the nomination rule and compliance ask through enrollments.
        register_trained_members(trained_members)
        # A class is reopened only once its certificates are revoked (courses cannot import certificates).
        if valid_certificates not in lifecycle.valid_certificate_counters:
            lifecycle.valid_certificate_counters.append(valid_certificates)


def valid_certificates(course):
    """How many valid certificates the course has: the hook courses.lifecycle.check_reopen() asks."""
    from certificates.models import Certificate

    return Certificate.objects.filter(enrollment__course=course, status=Certificate.Status.VALID).count()
