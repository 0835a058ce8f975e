"""Certificates in the personas' world (tests/conftest.py): issuers for the center, grassroots A and
committee B; a valid certificate on each side (trainee_x's of course_a, secretary_b's of course_b) and a
print job of each of those courses. Nothing here writes a file: PDFs are rendered when first asked for."""

from django.core.files.base import ContentFile
from django.utils import timezone

from certificates.models import PrintJob
from courses.models import Course
from enrollments.models import Enrollment
from tests import factories


def close_with_results(*enrollments):
    """Mark the enrollments completed (Giỏi) and their courses closed, as closing them would."""
    for enrollment in enrollments:
        Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.COMPLETED, grade="excellent")
        Course.objects.filter(pk=enrollment.course_id).update(status=Course.Status.CLOSED)


def add_certificates(world):
    world.issuer_center = factories.IssuerProfileFactory(organization=world.root, register_suffix="CC-TTBDCT")
    world.issuer_a = factories.IssuerProfileFactory(
        organization=world.grassroots_a,
        header_line_1="ĐẢNG ỦY BỘ NGOẠI GIAO",
        header_line_2="ĐẢNG BỘ VỤ TỔNG HỢP",
        register_suffix="CC-DBVTH",
    )
    world.issuer_b = factories.IssuerProfileFactory(
        organization=world.committee_b, header_line_2="ĐẢNG ỦY BỘ TƯ PHÁP", register_suffix="CC-DUBTP"
    )
    world.certificate_a = factories.CertificateFactory(
        enrollment=world.enrollment_x_in_a, issuer=world.issuer_a, grade="excellent"
    )
    world.certificate_b = factories.CertificateFactory(enrollment=world.enrollment_b, issuer=world.issuer_b)
    world.print_job_a = factories.PrintJobFactory(course=world.course_a, requested_by=world.center_staff)
    world.print_job_b = factories.PrintJobFactory(course=world.course_b, requested_by=world.center_staff)
    return world


def finish_print_jobs(world):
    """The world's print jobs done, with a small stored file each (written to MEDIA_ROOT)."""
    for job in (world.print_job_a, world.print_job_b):
        job.output.save("giay-chung-nhan.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"), save=False)
        job.status, job.done, job.finished_at = PrintJob.Status.DONE, job.total, timezone.now()
        job.save()
    return world
