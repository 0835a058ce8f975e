"""Where a trainee stands with the certificate of one course, as the portal shows it."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate
from courses.lifecycle import RESULTS_STORED
from enrollments.models import Enrollment


@dataclass(frozen=True)
class CertificateStatus:
    NOT_ELIGIBLE = "not_eligible"
    WAITING = "waiting"
    ISSUED = "issued"
    REVOKED = "revoked"
    LABELS = {
        NOT_ELIGIBLE: _("Chưa đủ điều kiện"),
        WAITING: _("Đã hoàn thành, chờ cấp giấy chứng nhận"),
        ISSUED: _("Đã cấp"),
        REVOKED: _("Đã bị thu hồi"),
    }

    state: str
    certificate: Certificate | None = None  # the valid one when issued, the latest revoked one when revoked

    @property
    def label(self):
        return self.LABELS[self.state]


def with_certificates(enrollments):
    """Prefetch what certificate_status() reads: one query for any number of enrollments."""
    newest_first = Certificate.objects.select_related("issuer").order_by("-issued_on", "-pk")
    return enrollments.prefetch_related(Prefetch("certificates", queryset=newest_first))


def certificate_status(enrollment):
    certificates = list(enrollment.certificates.all())
    valid = next((certificate for certificate in certificates if certificate.is_valid), None)
    if valid is not None:
        return CertificateStatus(CertificateStatus.ISSUED, valid)
    if certificates:
        return CertificateStatus(CertificateStatus.REVOKED, certificates[0])
    if enrollment.status == Enrollment.Status.COMPLETED and enrollment.course.status in RESULTS_STORED:
        return CertificateStatus(CertificateStatus.WAITING)
    return CertificateStatus(CertificateStatus.NOT_ELIGIBLE)
