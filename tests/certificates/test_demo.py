"""The demo data: the demo trainee's closed class has its certificates, which the trainee downloads and
anyone verifies."""

from django.test import Client
from django.urls import reverse

from certificates.models import Certificate, IssuerProfile
from courses.models import Course
from demo.builder import TRAINEE_LOGIN, seed_demo
from enrollments.models import Enrollment


def test_the_demo_trainee_downloads_a_certificate_that_verifies(db):
    seed_demo("small")

    certificate = Certificate.objects.select_related("enrollment__course").get(
        enrollment__member__user__username=TRAINEE_LOGIN
    )
    assert certificate.holder_name == "Phạm Anh Thiện" and certificate.is_valid
    course = certificate.enrollment.course
    assert course.status == Course.Status.CERTIFIED
    assert certificate.register_number.endswith(f"/{course.end_date.year}/CC-TTBDCT")
    completed = Enrollment.objects.filter(course=course, status=Enrollment.Status.COMPLETED)
    assert Certificate.objects.filter(enrollment__in=completed).count() == completed.count()
    assert IssuerProfile.objects.count() == 2

    trainee = Client()
    trainee.force_login(certificate.enrollment.member.user)
    response = trainee.get(reverse("portal:course-certificate", args=[course.code]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert Client().get(certificate.get_absolute_url()).status_code == 200
