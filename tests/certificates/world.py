"""Certificates added to the personas' world: issuers for the center, grassroots A and committee B, and a
valid certificate on each side (trainee_x's in course_a, secretary_b's in course_b)."""

import datetime

from certificates.services import issue_certificates
from courses.models import Course
from enrollments.models import Enrollment
from tests import factories


def close_with_results(*enrollments):
    """Mark the enrollments completed and their courses closed, as closing them would."""
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
        organization=world.committee_b,
        header_line_1="ĐẢNG BỘ KHỐI CÁC CƠ QUAN TRUNG ƯƠNG",
        header_line_2="ĐẢNG ỦY BỘ TƯ PHÁP",
        register_suffix="CC-DUBTP",
    )
    close_with_results(world.enrollment_x_in_a, world.enrollment_b)
    issued_on = datetime.date(2021, 3, 15)
    (world.certificate_a,) = issue_certificates(world.course_a, by=None, issued_on=issued_on, notify=False).issued
    (world.certificate_b,) = issue_certificates(world.course_b, by=None, issued_on=issued_on, notify=False).issued
    world.print_job_a = factories.PrintJobFactory(course=world.course_a, requested_by=world.center_staff)
    world.print_job_b = factories.PrintJobFactory(course=world.course_b, requested_by=world.center_staff)
    return world
