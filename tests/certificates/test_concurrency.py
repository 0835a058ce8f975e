"""Register numbers under concurrent issuing, on PostgreSQL: many staff issuing different courses of one
issuer and year at the same moment, and two issuing the same course, give numbers exactly 1..N and one
certificate per trainee; parallel issuers of one course store one PDF file per certificate."""

import datetime
import hashlib
import threading
from decimal import Decimal

import pytest
from django.db import connection

from certificates import pdf
from certificates.models import Certificate, RegisterCounter
from certificates.services import issue_certificates
from courses.models import Course
from enrollments.models import Enrollment
from organizations.models import Organization
from tests import factories

COURSES = 20
TRAINEES_PER_COURSE = 5
SHARED_COURSE_TRAINEES = 4
ISSUED_ON = datetime.date(2021, 6, 1)


def closed_course(root, program, number, trainees):
    course = factories.CourseFactory(
        code=f"2021-CC-L{number}", program=program, organizer=root, status=Course.Status.CLOSED
    )
    for _index in range(trainees):
        factories.EnrollmentFactory(
            course=course,
            member=factories.MemberFactory(organization=root),
            status=Enrollment.Status.COMPLETED,
            final_score=Decimal("7.0"),
            grade="good",
        )
    return course


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_gives_gap_free_numbers_and_one_certificate_each(settings, tmp_path):
    assert connection.vendor == "postgresql"
    settings.MEDIA_ROOT = tmp_path
    root = factories.OrganizationFactory(kind=Organization.Kind.BLOC, code="DBK")
    factories.IssuerProfileFactory(organization=root, register_suffix="CC-TTBDCT")
    program = factories.ProgramFactory()
    courses = [closed_course(root, program, number, TRAINEES_PER_COURSE) for number in range(COURSES)]
    shared = closed_course(root, program, COURSES, SHARED_COURSE_TRAINEES)
    # Every thread connects first and then waits at the barrier, so all of them ask for numbers at once.
    targets = [*courses, shared, shared]
    barrier = threading.Barrier(len(targets))
    errors = []

    def issue(course):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            issue_certificates(course, by=None, issued_on=ISSUED_ON, notify=False)
        except Exception as error:  # reported by the assertion below, with the thread's error
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(course,)) for course in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == []
    expected = COURSES * TRAINEES_PER_COURSE + SHARED_COURSE_TRAINEES
    numbers = sorted(Certificate.objects.filter(year=2021).values_list("number", flat=True))
    assert numbers == list(range(1, expected + 1))
    assert RegisterCounter.objects.get(year=2021).last_number == expected
    completed = Enrollment.objects.filter(status=Enrollment.Status.COMPLETED)
    assert completed.count() == expected
    assert not completed.exclude(certificates__isnull=False).exists()
    assert Certificate.objects.count() == expected
    assert Certificate.objects.filter(enrollment__course=shared).count() == SHARED_COURSE_TRAINEES
    assert not Certificate.objects.filter(pdf="").exists()


PARALLEL_ISSUERS = 6
ISSUED_TRAINEES = 5


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_parallel_issuers_of_one_course_store_one_pdf_per_certificate(settings, tmp_path, monkeypatch):
    assert connection.vendor == "postgresql"
    settings.MEDIA_ROOT = tmp_path
    root = factories.OrganizationFactory(kind=Organization.Kind.BLOC, code="DBK")
    factories.IssuerProfileFactory(organization=root, register_suffix="CC-TTBDCT")
    course = closed_course(root, factories.ProgramFactory(), 1, ISSUED_TRAINEES)
    # As when ten issuers raced: each one that gets to rendering waits until all of them have found the
    # certificates without a file. With the rows locked only the first gets there with any, and goes on when the
    # wait gives up.
    rendering = threading.Barrier(PARALLEL_ISSUERS)
    render_each = pdf.render_each

    def render_once_all_looked(certificates):
        try:
            rendering.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return render_each(certificates)

    monkeypatch.setattr(pdf, "render_each", render_once_all_looked)
    start = threading.Barrier(PARALLEL_ISSUERS)
    errors = []

    def issue():
        try:
            connection.ensure_connection()
            start.wait(timeout=30)
            issue_certificates(course, by=None, issued_on=ISSUED_ON, notify=False)
        except Exception as error:  # reported by the assertion below, with the thread's error
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _index in range(PARALLEL_ISSUERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == []
    stored = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file())
    named = sorted(Certificate.objects.values_list("pdf", flat=True))
    assert len(named) == ISSUED_TRAINEES
    assert stored == named
    for certificate in Certificate.objects.all():
        with certificate.pdf.open("rb") as file:
            assert hashlib.sha256(file.read()).hexdigest() == certificate.pdf_sha256
