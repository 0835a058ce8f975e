"""The one definition of "trained" (enrollments/training.py declares it, certificates/apps.py registers it here):
a valid certificate of a qualifying program issued within the period. certificates_that_train() is the query both
the bulk answer below and the compliance page (oversight/compliance.py) are built from."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from certificates.models import Certificate
from courses.models import Course
from enrollments.training import Training
from organizations.terms import Period

if TYPE_CHECKING:
    from django.db.models import QuerySet


def certificates_that_train(program_ids: Iterable[int], period: Period | None) -> "QuerySet[Certificate]":
    """The certificates that make their holder trained: valid (a revoked one does not count; its replacement, a
    valid certificate of its own, does), of one of these programs, issued within the period (None: any date), of a
    class not judged short of the requirements (a self-run class marked "chưa đạt yêu cầu" counts once the center
    accepts it: Course.quality, written by oversight/quality.py)."""
    certificates = (
        Certificate.objects.valid()
        .filter(enrollment__course__program_id__in=list(program_ids))
        .exclude(enrollment__course__quality=Course.Quality.NOT_MET)
    )
    if period is not None:
        certificates = certificates.filter(issued_on__gte=period.start)
        if period.end is not None:
            certificates = certificates.filter(issued_on__lte=period.end)
    return certificates


def trained_members(member_ids: Iterable[int], program_ids: Iterable[int], period: Period) -> dict[int, Training]:
    """{member id: proof (the newest such certificate)} for those of the members trained in the period by one of
    the programs: one query whatever the number of members."""
    ids = list(member_ids)
    programs = list(program_ids)
    if not ids or not programs:
        return {}
    rows = (
        certificates_that_train(programs, period)
        .filter(enrollment__member_id__in=ids)
        .order_by("enrollment__member_id", "-issued_on", "-pk")
        .values_list("enrollment__member_id", "register_number", "issued_on", "enrollment__course__code")
    )
    trained: dict[int, Training] = {}
    for member_id, register_number, issued_on, course_code in rows:
        trained.setdefault(member_id, Training(member_id, register_number, issued_on, course_code))
    return trained
